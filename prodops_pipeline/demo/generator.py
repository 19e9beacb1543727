"""`prodops generate`: the four demo sources in the canonical format, plus their ground truth.

Deterministic for a seed. Event-like tables are written one file per day of arrival, and a day's
file depends only on the seed and the days before it, so a later --end adds files and leaves the
earlier ones byte-identical, as a nightly delivery would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import pyarrow as pa

from ..ingest.contract import table as contract_table
from . import catalogue as cat
from . import tables
from .calendar import START_EPOCH, day_date, day_index
from .dirty import Dirt
from .scales import DEFAULT_END, HORIZON_DAYS, SCALES, START
from .support import draw_tickets, tickets_until
from .surveys import SurveyState
from .usage import MAX_LATE_DAYS, usage_for_day
from .world import build_world, rng_for
from .writer import FORMATS, DayFiles, table_path, write

STREAM_DAYS = 10
MALFORMED_LINE_EVERY = 97  # days
GROUND_TRUTH = "ground_truth.json"
SNAPSHOT_TABLES = ("features", "accounts", "contacts", "subscription_periods", "tickets")


@dataclass
class GenerationReport:
    out: Path
    rows: dict[str, int]
    files: int
    ground_truth: Path


def generate(scale: str, seed: int, out: Path, end: date | None = None, dirty: bool = False,
             progress: Callable[[int, int], None] | None = None) -> GenerationReport:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    end = end or DEFAULT_END
    last = day_index(end)
    if not 0 <= last < HORIZON_DAYS:
        raise ValueError(f"--end must fall between {START} and {day_date(HORIZON_DAYS - 1)}")
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(seed, SCALES[scale])
    dirt = Dirt(seed) if dirty else None

    def finish(name: str):
        def hook(table: pa.Table, day: int) -> pa.Table:
            if dirt and name == "usage_events":
                table = dirt.mix_timestamp_forms(table, "occurred_at", day)
            return dirt.add_rows(name, table, day) if dirt else table
        return hook

    def malformed(path: Path, day: int) -> None:
        if dirt and day % MALFORMED_LINE_EVERY == MALFORMED_LINE_EVERY // 2:
            dirt.append_malformed_line(path, len(contract_table("usage_events").columns))

    usage = DayFiles(out, "usage_events", finish("usage_events"), after_write=malformed)
    deliveries = DayFiles(out, "survey_deliveries", finish("survey_deliveries"))
    responses = DayFiles(out, "survey_responses", finish("survey_responses"))
    surveys = SurveyState(world)
    for day in range(last + 1):
        rng = rng_for(seed, STREAM_DAYS, day)
        epoch = START_EPOCH + day * 86400
        today = usage_for_day(world, day, epoch, rng)
        usage.add(today.events, "_received_day")
        sent, answered = surveys.day(day, epoch, today.active_users, rng)
        if sent:
            deliveries.add(tables.survey_records(sent, "sent_at", tables.DELIVERY_SCHEMA))
        if answered:
            responses.add(tables.survey_records(answered, "responded_at", tables.RESPONSE_SCHEMA))
        usage.flush_through(day - MAX_LATE_DAYS - 1)
        deliveries.flush_through(day)
        responses.flush_through(day - 15)
        if progress:
            progress(day + 1, last + 1)
    for files in (usage, deliveries, responses):
        files.flush_through(last)
        files.discard_after(last)

    ticket_draws = draw_tickets(world)
    ticket_table, ticket_events = tables.tickets(world, ticket_draws, tickets_until(ticket_draws, last), last)
    events = DayFiles(out, "ticket_events", finish("ticket_events"))
    events.add(ticket_events)
    events.flush_through(last)

    snapshots = {
        "features": tables.features(last), "accounts": tables.accounts(world, last),
        "contacts": tables.contacts(world, last), "subscription_periods": tables.subscription_periods(world, last),
        "tickets": ticket_table,
    }
    rows = {}
    for name, table in snapshots.items():
        if dirt:
            table = dirt.add_rows(name, table)
        write(table, table_path(out, name), FORMATS[name], bom=dirty and name == "accounts")
        rows[name] = table.num_rows
    for files in (usage, events, responses, deliveries):
        rows[files.name] = files.rows + (dirt.malformed_lines if dirt and files is usage else 0)
        _remove_stale(out / files.name, set(files.written))

    truth = ground_truth(world, scale, seed, end, rows, dirt)
    truth_path = out / GROUND_TRUTH
    truth_path.write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return GenerationReport(out, rows, sum(len(f.written) for f in (usage, events, responses, deliveries)) + len(snapshots), truth_path)


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    """Day files from an earlier run with a later --end have not arrived yet as of this --end."""
    for path in folder.glob("*"):
        if path.is_file() and path not in keep:
            path.unlink()


def ground_truth(world, scale: str, seed: int, end: date, rows: dict[str, int], dirt: Dirt | None) -> dict:
    features = {
        key: {"feature_name": name, "is_core": core, "released_day_offset": released,
              "adoption_probability": adoption, "daily_use_probability": use, "median_days_to_adopt": median,
              "retired_day_offset": retired}
        for key, name, _area, core, released, retired, adoption, use, median in cat.FEATURES
    }
    return {
        "seed": seed, "scale": scale, "start": START.isoformat(), "end": end.isoformat(),
        "rows_written": rows,
        "features": features,
        "churn": {
            "monthly_logo_churn_hazard_by_plan": dict(zip(cat.PLANS, cat.MONTHLY_CHURN)),
            "note": "hazard per 30-day billing step for paying accounts, averaged over account health",
            "trial_conversion_rate": cat.TRIAL_CONVERSION,
            "monthly_winback_probability": cat.WINBACK_MONTHLY,
        },
        "nps": {
            "mix_by_plan": {plan: dict(zip(("detractor", "passive", "promoter"), mix)) for plan, mix in cat.NPS_MIX.items()},
            "nps_by_plan": {plan: round(100 * (mix[2] - mix[0]), 1) for plan, mix in cat.NPS_MIX.items()},
        },
        "currency": cat.CURRENCY,
        "accounts": {"total": int((world.accounts.created_day <= day_index(end)).sum()),
                     "deleted": int((world.accounts.deleted & (world.accounts.created_day <= day_index(end))).sum())},
        "expected_quarantine": dirt.as_dict() if dirt else {},
        "planted_valid_oddities": (["UTF-8 BOM in accounts.csv", "mixed ISO-8601 forms of usage_events.occurred_at"]
                                   if dirt else []),
    }


def parse_end(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None

