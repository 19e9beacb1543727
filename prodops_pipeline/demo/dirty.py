"""Bad rows of every kind the source contract names, each breaking exactly one rule.

Every planted row is counted under the quarantine reason ingestion must give it, so tests can
hold the raw zone to the ground truth. Valid-but-unusual input (a BOM, mixed ISO-8601 timestamp
forms) is planted too; it must land, not be quarantined.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..ingest.contract import table as contract_table
from ..ingest.validation import Reason
from .world import rng_for

STREAM_DIRTY = 99


def _invalid(table: str, column: str) -> str:
    return Reason.invalid(contract_table(table).column(column))



# table -> (change to a copied valid row, reason); "__new_id" gives the row a fresh key,
# "__duplicate" keeps the copied row's key so the copy conflicts with the original.
MUTATIONS: dict[str, list[tuple[dict, str]]] = {
    "usage_events": [
        ({"occurred_at": None}, Reason.missing("occurred_at")),
        ({"occurred_at": "31/02/2026 25:61"}, _invalid("usage_events", "occurred_at")),
        ({"platform": "smartwatch"}, Reason.unknown("platform")),
        ({"account_id": "acc_999999"}, Reason.orphan("account_id")),
        ({"user_id": "usr_ghost"}, Reason.orphan("user_id")),
        ({"event_name": "feature_used", "feature_key": None}, Reason.missing_when("feature_key", "event_name", "feature_used")),
        ({"event_name": "feature_used", "feature_key": "teleport"}, Reason.orphan("feature_key")),
        ({"properties": "{not json"}, _invalid("usage_events", "properties")),
        # an id a broken exporter reused for another event: the original stays, the copy is quarantined
        ({"__duplicate": True, "page": "/reused-id"}, Reason.reused("event_id")),
    ],
    "ticket_events": [
        ({"kind": "merge"}, Reason.unknown("kind")),
        ({"ticket_id": "tkt_missing"}, Reason.orphan("ticket_id")),
        ({"occurred_at": "yesterday"}, _invalid("ticket_events", "occurred_at")),
        ({"__duplicate": True}, Reason.duplicate("event_id")),
    ],
    "survey_responses": [
        ({"score": "11"}, Reason.out_of_range("score")),
        ({"score": "-1"}, Reason.out_of_range("score")),
        ({"score": "ten"}, _invalid("survey_responses", "score")),
        ({"score": "7.5"}, _invalid("survey_responses", "score")),
        ({"channel": "pigeon"}, Reason.unknown("channel")),
        ({"user_id": None}, Reason.missing("user_id")),
        ({"user_id": "usr_ghost"}, Reason.orphan("user_id")),
        ({"__duplicate": True}, Reason.duplicate("response_id")),
    ],
    "survey_deliveries": [
        ({"sent_at": None}, Reason.missing("sent_at")),
        ({"user_id": "usr_ghost"}, Reason.orphan("user_id")),
        ({"channel": "fax"}, Reason.unknown("channel")),
    ],
    "features": [({"released_at": None}, Reason.missing("released_at"))],
    "accounts": [
        ({"__duplicate": True, "account_name": "Duplicate Row Inc"}, Reason.duplicate("account_id")),
        ({"account_name": None}, Reason.missing("account_name")),
        ({"created_at": "last tuesday"}, _invalid("accounts", "created_at")),
    ],
    "contacts": [
        ({"account_id": "acc_nope"}, Reason.orphan("account_id")),
        ({"__duplicate": True, "email": "someone.else@example.com"}, Reason.duplicate("user_id")),
        ({"is_internal": "maybe"}, _invalid("contacts", "is_internal")),
    ],
    "subscription_periods": [
        ({"mrr": "-100.00"}, Reason.out_of_range("mrr")),
        ({"currency": "EUR"}, Reason.currency("USD")),
        ({"period_start": "soon"}, _invalid("subscription_periods", "period_start")),
        ({"plan": None}, Reason.missing("plan")),
    ],
    "tickets": [
        ({"priority": "critical"}, Reason.unknown("priority")),
        ({"status": "escalated"}, Reason.unknown("status")),
        ({"account_id": "acc_nope"}, Reason.orphan("account_id")),
        ({"__duplicate": True, "subject": "Duplicate"}, Reason.duplicate("ticket_id")),
    ],
}
# chance that a day's file of an event-like table gets bad rows, and how many at most
DAILY_CHANCE = {"usage_events": 0.6, "ticket_events": 0.15, "survey_responses": 0.2, "survey_deliveries": 0.1}
MIXED_TIMESTAMP_SHARE = 0.02


class Dirt:
    """Plants bad rows into tables and counts what ingestion must quarantine."""

    def __init__(self, seed: int):
        self.seed = seed
        self.expected: Counter[tuple[str, str]] = Counter()
        self.malformed_lines = 0

    def rng(self, name: str, day: int) -> np.random.Generator:
        return rng_for(self.seed, STREAM_DIRTY, sorted(MUTATIONS).index(name), day + 10_000)

    def add_rows(self, name: str, table: pa.Table, day: int | None = None) -> pa.Table:
        if table.num_rows == 0:
            return table
        rng = self.rng(name, -1 if day is None else day)
        if day is not None and rng.random() >= DAILY_CHANCE[name]:
            return table
        mutations = MUTATIONS[name]
        chosen = range(len(mutations)) if day is None else rng.choice(len(mutations), size=int(rng.integers(1, 4)))
        key = contract_table(name).key
        text = _as_text(table)
        bad = []
        for n, m in enumerate(chosen):
            change, reason = mutations[m]
            row = text.slice(int(rng.integers(0, text.num_rows)), 1).to_pylist()[0]
            row.update({k: v for k, v in change.items() if not k.startswith("__")})
            if not change.get("__duplicate"):
                row[key] = f"bad_{name}_{'s' if day is None else day}_{n}"
            bad.append(row)
            self.expected[(name, reason)] += 1
        return pa.concat_tables([text, pa.Table.from_pylist(bad, schema=text.schema)])

    def mix_timestamp_forms(self, table: pa.Table, column: str, day: int) -> pa.Table:
        """Rewrite some timestamps in other valid ISO-8601 forms that denote the same instant."""
        rng = self.rng("usage_events", day + 5_000)
        values = table.column(column)
        pick = rng.random(table.num_rows)
        stamps = pc.strptime(values, format="%Y-%m-%dT%H:%M:%SZ", unit="s", error_is_null=True)
        spaced = pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S+00:00")
        shifted = pc.strftime(pc.add(stamps, pa.scalar(7200, pa.duration("s"))), format="%Y-%m-%dT%H:%M:%S+02:00")
        fraction = pc.binary_join_element_wise(pc.utf8_slice_codeunits(values, 0, 19), ".000Z", "")
        out = pc.if_else(pa.array(pick < MIXED_TIMESTAMP_SHARE / 3), spaced,
                         pc.if_else(pa.array(pick < 2 * MIXED_TIMESTAMP_SHARE / 3), shifted,
                                    pc.if_else(pa.array(pick < MIXED_TIMESTAMP_SHARE), fraction, values)))
        return table.set_column(table.schema.get_field_index(column), column, out)

    def append_malformed_line(self, path: Path, columns: int) -> None:
        """A CSV line with one field too many, as a broken export writes it."""
        with path.open("a", encoding="utf-8") as handle:
            handle.write(",".join(["broken"] * (columns + 1)) + "\n")
        self.expected[("usage_events", Reason.malformed_csv("too many columns"))] += 1
        self.malformed_lines += 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (name, reason), count in sorted(self.expected.items()):
            out.setdefault(name, {})[reason] = count
        return out


def _as_text(table: pa.Table) -> pa.Table:
    columns = []
    for field in table.schema:
        column = table.column(field.name)
        if pa.types.is_list(field.type):
            columns.append(column)
        elif field.type != pa.string():
            columns.append(pc.cast(column, pa.string()))
        else:
            columns.append(column)
    return pa.table(columns, names=table.column_names)
