"""The Great Expectations suites, derived from the two contracts so they cannot drift from them.

Raw suites come from the source contract (ingestion/contract.py): required values, enums, ranges,
unique keys, plausible timestamps, and null rates of columns that are optional but expected.
Volume suites hold a table's row count against the last published build (blocking); freshness
suites the age of its newest record (a warning). Mart suites come from the dbt manifest (the
not-null, accepted values, ranges the marts' YAML declares: these dbt tests do not run in builds), plus the
spec's identities and personal-data rules. A mart's grain is dbt's to check (unique_combination over the
whole table; GX validates a mart in chunks, which cannot see a duplicate across two).

`prodops expectations` writes them as JSON into expectations/gx/; a test keeps them in step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import great_expectations.expectations as gxe

from ..ingest.contract import TABLES, Table
from ..ingest.systems import VENDOR_TABLES
from .identities import IDENTITIES

EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
# marts.md's phone number, as the comments' redaction reads it (macro redact_personal_data): at least 7
# digits written as one with optional + ( ) . - and spaces, after the start, a space, a bracket or :;,
# and not a date (2026-03-01, 01.03.2026), which stays as written
PHONE_PATTERN = (r"(?:^|(?<=[\s(:;,]))(?![0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2})(?![0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{4})"
                 r"\+?\(?[0-9](?:[ ().-]*[0-9]){6,}")
FREE_TEXT_COLUMNS = {"comment", "subject"}  # where a phone number could hide among words
# optional columns a healthy feed still fills almost always: a drop in their fill rate is a warning
EXPECTED_FILLED = {
    "usage_events": ("received_at", "platform"),
    "accounts": ("industry", "region"),
    "tickets": ("priority", "type", "channel"),
}
FRESHNESS_COLUMN = {"usage_events": "occurred_at", "ticket_events": "occurred_at",
                    "survey_responses": "responded_at", "survey_deliveries": "sent_at"}


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    expectations: tuple[Any, ...]


def raw_suite(table: Table) -> SuiteSpec:
    out: list[Any] = []
    for c in table.columns:
        if c.required:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=c.name))
        if c.allowed:
            out.append(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.allowed)))
        if c.min_value is not None or c.max_value is not None:
            out.append(gxe.ExpectColumnValuesToBeBetween(column=c.name, min_value=c.min_value, max_value=c.max_value))
        if c.type == "timestamp":
            # a clock far off would move every period's high-water mark: no time travel
            out.append(gxe.ExpectColumnValuesToBeBetween(
                column=c.name, min_value={"$PARAMETER": "earliest_plausible_time"},
                max_value={"$PARAMETER": "latest_plausible_time"}))
    if not table.repeated_key_is_redelivery:
        out.append(gxe.ExpectColumnValuesToBeUnique(column=table.key))
    for column in EXPECTED_FILLED.get(table.name, ()):
        out.append(gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=0.9, severity="warning"))
    return SuiteSpec(f"raw_{table.name}", tuple(out))


def volume_suite(table: Table) -> SuiteSpec:
    return SuiteSpec(f"raw_{table.name}__volume", (gxe.ExpectColumnValuesToBeBetween(
        column="volume_ratio", min_value={"$PARAMETER": "min_volume_ratio"}),))


def freshness_suite(table: Table) -> SuiteSpec:
    return SuiteSpec(f"raw_{table.name}__freshness", (gxe.ExpectColumnValuesToBeBetween(
        column="newest_age_hours", max_value={"$PARAMETER": "max_age_hours"}, severity="warning"),))


def mart_suite(node: dict[str, Any], tests: list[dict[str, Any]]) -> SuiteSpec:
    """A mart's suite from its dbt manifest node and the generic tests attached to it."""
    name = node["name"]
    out: list[Any] = []
    for test in tests:
        meta = test["test_metadata"]
        kwargs = meta.get("kwargs", {})
        column = test.get("column_name")
        if meta["name"] == "not_null":
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
        elif meta["name"] == "accepted_values":
            out.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(kwargs["values"])))
        elif meta["name"] == "within_range":
            out.append(gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=kwargs["min_value"], max_value=kwargs["max_value"]))
    for identity in IDENTITIES.get(name, {}):
        out.append(gxe.ExpectColumnValuesToBeBetween(column=identity, min_value=0, max_value=0))
    for column, props in node["columns"].items():
        if str(props.get("data_type", "")).lower() in ("varchar", "string"):
            out.append(gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=EMAIL_PATTERN))
            if column in FREE_TEXT_COLUMNS:
                out.append(gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=PHONE_PATTERN))
    return SuiteSpec(name, tuple(sorted(out, key=_sort_key)))


def _sort_key(expectation: Any) -> tuple[str, str, str]:
    return expectation_signature(expectation)


def mart_nodes(manifest_path: Path) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The published marts of the dbt manifest, each with its generic tests, in name order."""
    manifest = json.loads(manifest_path.read_text())
    models = {uid: n for uid, n in manifest["nodes"].items()
              if n["resource_type"] == "model" and "marts" in n["fqn"]}
    tests: dict[str, list[dict[str, Any]]] = {uid: [] for uid in models}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node") in models:
            tests[node["attached_node"]].append(node)
    return [(models[uid], sorted(tests[uid], key=lambda t: t["unique_id"]))
            for uid in sorted(models, key=lambda u: models[u]["name"])]


def all_suites(manifest_path: Path) -> list[SuiteSpec]:
    # a vendor's table is judged by its contract at landing; its volume is watched like ours
    suites = [raw_suite(t) for t in TABLES] + [volume_suite(t) for t in TABLES + VENDOR_TABLES]
    suites += [freshness_suite(t) for t in TABLES if t.name in FRESHNESS_COLUMN]
    return suites + [mart_suite(node, tests) for node, tests in mart_nodes(manifest_path)]


def expectation_signature(expectation: Any) -> tuple[str, str, str]:
    """What an expectation checks, without GX's generated ids: for comparing suites."""
    config = expectation.configuration if hasattr(expectation, "configuration") else expectation
    kwargs = {k: v for k, v in config.kwargs.items() if v is not None}
    return (config.type, json.dumps(kwargs, sort_keys=True, default=str), str(getattr(expectation, "severity", "critical")))
