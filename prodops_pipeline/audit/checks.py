"""Great Expectations suites as Dagster asset checks: on every raw table and every mart.

A failed critical expectation fails its check at ERROR severity, which blocks everything downstream,
the publish included; failed warnings (fill rates) fail it at WARN severity, which does not. Each raw
table has a blocking contract check and a blocking volume check, and a table with event times a
freshness check that is not blocking (a stale feed is a warning, and the UI shows it as one). Data is
read from DuckDB in chunks (a raw table's newly landed partitions, a mart a chunk at a time), so
memory stays bounded whatever the size of the table.

The checks of the marts run as one Dagster step (each is still its own check in the UI): a step per
check cost more in Dagster bookkeeping than most suites take to run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import dagster as dg
import duckdb
import pandas as pd

from ..ingest.assets import raw_key
from ..ingest.contract import Table
from ..ingest.raw_zone import LANDED, TableZone
from ..publish.build import last_build
from ..resources import PipelineSettings
from ..settings import Settings
from .audited_rows import AuditedBuild, last_audited_build, rows_to_audit
from .gx_project import SuiteOutcome, build_data_docs, context, data_docs_index, run_suite
from .identities import identity_select
from .suites import FRESHNESS_COLUMN

CHUNK_VECTORS = 256  # DuckDB vectors of 2,048 rows: about half a million rows per chunk
AUDIT_CHECK, VOLUME_CHECK, FRESHNESS_CHECK = "gx_audit", "gx_volume", "gx_freshness"


def chunks(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[pd.DataFrame]:
    con.execute(sql)
    while True:
        frame = con.fetch_df_chunk(CHUNK_VECTORS)
        if frame.empty:
            return
        yield frame


def validate_chunks(ctx, suite: str, frames: Iterator[pd.DataFrame], parameters: dict[str, Any] | None = None) -> SuiteOutcome:
    outcome: SuiteOutcome | None = None
    for frame in frames:
        part = run_suite(ctx, suite, frame, parameters)
        if outcome is None:
            outcome = part
        else:
            outcome.merge(part)
    return outcome or SuiteOutcome(suite)


def check_result(outcome: SuiteOutcome, settings: Settings, key: dg.AssetCheckKey) -> dg.AssetCheckResult:
    failures = [{"expectation": f.expectation, "column": f.column, "severity": f.severity,
                 "unexpected_count": f.unexpected_count, "sample": f.sample} for f in outcome.failures]
    severity = dg.AssetCheckSeverity.ERROR if outcome.critical else dg.AssetCheckSeverity.WARN
    shown = outcome.critical or outcome.warnings
    if outcome.critical:  # the publish, which rebuilds them otherwise, will not run
        build_data_docs(settings)
    validated = f"{outcome.rows} rows" + (f" (a random sample of {outcome.sampled_from})" if outcome.sampled_from else "")
    if outcome.unchanged_since:
        build_id, unchanged = outcome.unchanged_since
        validated += (f" new or changed since build {build_id} (the other {unchanged} rows are as that build "
                      "published them, audited by the same suite)")
    if outcome.not_applicable:
        validated += f"; fill rate not checked for {', '.join(outcome.not_applicable)} (not in the source)"
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not outcome.failures,
        severity=severity,
        description=(f"suite {outcome.suite} on {validated}: " + "; ".join(f.describe() for f in shown)) if shown
                    else _all_met(outcome, validated),
        metadata=_counts(outcome) | {
            "suite": outcome.suite,
            "failed_expectations": dg.MetadataValue.json(failures),
            "data_docs": dg.MetadataValue.path(str(data_docs_index(settings))),
        },
    )


def _counts(outcome: SuiteOutcome) -> dict[str, dg.MetadataValue]:
    """Only the counts that mean something for this check: a plot of a count that is not one misleads."""
    counts = {"rows_validated": dg.MetadataValue.int(outcome.rows)}
    if outcome.sampled_from:
        counts["rows_sampled_from"] = dg.MetadataValue.int(outcome.sampled_from)
    if outcome.unchanged_since:
        counts["rows_unchanged_since_audited_build"] = dg.MetadataValue.int(outcome.unchanged_since[1])
    return counts


def _all_met(outcome: SuiteOutcome, validated: str) -> str:
    if outcome.unchanged_since and not outcome.rows:
        build_id, unchanged = outcome.unchanged_since
        return (f"suite {outcome.suite}: no row new or changed since build {build_id}; its {unchanged} rows are as "
                "that build published them, audited by the same suite")
    return f"suite {outcome.suite}: {outcome.evaluated} expectations met on {validated}"


def _contract_columns(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns if c.type != "string_list")


def raw_parameters() -> dict[str, Any]:
    now = pd.Timestamp(datetime.now(timezone.utc).replace(tzinfo=None))
    return {"earliest_plausible_time": pd.Timestamp("2000-01-01"), "latest_plausible_time": now + pd.Timedelta(days=1)}


def audit_raw(settings: Settings, table: Table) -> SuiteOutcome:
    """The rows landed by the table's latest load, against its raw suite.

    Ingestion has already checked every one of these rows against the same contract; GX is the
    second, independent line. A load larger than PRODOPS_AUDIT_SAMPLE_ROWS (a first load of years of
    events) is validated on a reproducible random sample of about that size, so the audit's cost stays
    bounded; uniqueness and completeness over the whole table are also dbt tests.
    """
    zone = TableZone(settings.raw_zone, table.name)
    loads = zone.loads()
    files = loads[-1]["files"] if loads else []
    manifest = zone.manifest()
    keys = [manifest[f].file_key for f in files if f in manifest]
    paths = [p for k in keys for p in (zone.root / LANDED / f"_file_key={k}").glob("*.parquet")]
    ctx = context(settings)
    if not paths:
        return SuiteOutcome(f"raw_{table.name}")
    file_list = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    with duckdb.connect(config=settings.duckdb_config()) as con:
        relation = f"read_parquet({file_list}, union_by_name = true)"
        rows = con.sql(f"SELECT count(*) FROM {relation}").fetchone()[0]
        sample = settings.audit_sample_rows
        sampled = 0 < sample < rows
        # a hash of the key draws the sample: the same rows on every run, read in parallel (DuckDB's
        # reservoir sample runs on one thread and took most of the audit of a large load)
        sql = f"SELECT {_contract_columns(table)} FROM {relation}" + (
            f' WHERE hash("{table.key}") % {rows} < {sample}' if sampled else "")
        outcome = validate_chunks(ctx, f"raw_{table.name}", chunks(con, sql), raw_parameters())
    outcome.sampled_from = rows if sampled else None
    # a fill rate says a feed stopped filling a column it has; a source without the column is not a problem
    absent = set(loads[-1].get("columns_absent") or [])
    outcome.not_applicable = sorted({f.column for f in outcome.warnings if f.column in absent})
    outcome.failures = [f for f in outcome.failures if f.column not in outcome.not_applicable]
    return outcome


def raw_volume_and_age(settings: Settings, table: Table) -> pd.DataFrame:
    zone = TableZone(settings.raw_zone, table.name)
    baseline = ((last_build(settings) or {}).get("raw_rows") or {}).get(table.name)
    rows = zone.landed_rows()
    newest = None
    if table.name in FRESHNESS_COLUMN and rows:
        with duckdb.connect() as con:
            newest = con.sql(f"SELECT max({FRESHNESS_COLUMN[table.name]}) "
                             f"FROM read_parquet('{zone.glob(LANDED)}', union_by_name = true)").fetchone()[0]
    age = (datetime.now(timezone.utc).replace(tzinfo=None) - newest).total_seconds() / 3600 if newest else float("inf")
    return pd.DataFrame({"rows": [rows], "baseline_rows": [baseline],
                         "volume_ratio": [rows / baseline if baseline else 1.0], "newest_age_hours": [age]})


def audit_raw_stats(settings: Settings, table: Table, suite: str) -> SuiteOutcome:
    """The table's volume (suite `__volume`) or freshness (suite `__freshness`), its failures said in words."""
    parameters = {"min_volume_ratio": 1 - settings.max_volume_drop, "max_age_hours": settings.freshness_max_age_hours}
    stats = raw_volume_and_age(settings, table)
    if table.optional and not stats["rows"].iloc[0]:
        stats["newest_age_hours"] = 0.0  # an optional table the sources do not have is absent, not stale
    outcome = run_suite(context(settings), f"raw_{table.name}__{suite}", stats, parameters)
    for failure in outcome.failures:
        failure.sentence = _stats_sentence(table, failure.column, stats.iloc[0], parameters)
    return outcome


def _stats_sentence(table: Table, column: str | None, stats: pd.Series, parameters: dict[str, float]) -> str | None:
    if column == "newest_age_hours":
        age = stats["newest_age_hours"]
        if age == float("inf"):
            return f"no {table.name} record has landed yet; limit {parameters['max_age_hours']:g} h"
        shown = f"{age / 24:.1f} days" if age >= 48 else f"{age:.1f} h"
        return (f"newest {table.name} record ({FRESHNESS_COLUMN[table.name]}) is {shown} old; "
                f"limit {parameters['max_age_hours']:g} h (PRODOPS_FRESHNESS_MAX_AGE_HOURS)")
    if column == "volume_ratio":
        return (f"{table.name} holds {int(stats['rows']):,} rows, {stats['volume_ratio']:.0%} of the "
                f"{int(stats['baseline_rows']):,} of the last published build; at least "
                f"{parameters['min_volume_ratio']:.0%} expected (PRODOPS_MAX_VOLUME_DROP)")
    return None


def audit_mart(settings: Settings, mart: str, audited: AuditedBuild | None = None) -> SuiteOutcome:
    """The mart's rows new or changed since the `audited` build (or all of them), against its suite."""
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config()) as con:
        relation, changed_only = rows_to_audit(settings, con, mart, audited)
        sql = f"SELECT *{identity_select(mart)} FROM {relation} AS audited_rows"
        outcome = validate_chunks(context(settings), mart, chunks(con, sql))
        if changed_only:
            total = con.sql(f'SELECT count(*) FROM main."{mart}"').fetchone()[0]
            outcome.unchanged_since = (audited.build_id, total - outcome.rows)
    return outcome


def raw_checks(table: Table) -> dg.AssetChecksDefinition:
    """The checks of one table, in one step: they block its child tables (contacts wait for accounts), which
    one step for several tables could not; a step per check cost more in Dagster's bookkeeping than they take."""
    key = raw_key(table.name)
    # a vendor's table was judged row by row against its contract at landing: GX watches its volume
    specs = [dg.AssetCheckSpec(AUDIT_CHECK, asset=key, blocking=True,
                               description=f"GX suite raw_{table.name} on the rows the latest load landed")] \
        if table.system == "prodops" else []
    specs.append(dg.AssetCheckSpec(VOLUME_CHECK, asset=key, blocking=True,
                                   description=f"GX suite raw_{table.name}__volume: rows against the last published build"))
    if table.name in FRESHNESS_COLUMN:
        # a warning: a stale feed is said, never a reason to hold back the rest of the build
        specs.append(dg.AssetCheckSpec(FRESHNESS_CHECK, asset=key, blocking=False,
                                       description=f"GX suite raw_{table.name}__freshness: age of the newest record (a warning)"))
    outcomes = {AUDIT_CHECK: lambda config: audit_raw(config, table),
                VOLUME_CHECK: lambda config: audit_raw_stats(config, table, "volume"),
                FRESHNESS_CHECK: lambda config: audit_raw_stats(config, table, "freshness")}

    @dg.multi_asset_check(specs=specs, name=f"{key.to_python_identifier()}_gx_checks", can_subset=True)
    def _checks(context, settings: PipelineSettings):
        config = settings.get()
        for spec in specs:
            if spec.key in context.selected_asset_check_keys:
                yield check_result(outcomes[spec.name](config), config, spec.key)

    return _checks


def mart_checks(marts: list[str]) -> dg.AssetChecksDefinition:
    specs = [dg.AssetCheckSpec(AUDIT_CHECK, asset=dg.AssetKey(m), blocking=True,
                               description=f"GX suite {m}: grain, ranges, identities and no personal data")
             for m in marts]

    @dg.multi_asset_check(specs=specs, name="mart_gx_audit", can_subset=True)
    def _marts(context, settings: PipelineSettings):
        config = settings.get()
        audited = last_audited_build(config)
        for key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()):
            yield check_result(audit_mart(config, key.asset_key.path[-1], audited), config, key)

    return _marts


def audit_checks(tables: tuple[Table, ...], marts: list[str]) -> list[dg.AssetChecksDefinition]:
    return [raw_checks(t) for t in tables] + [mart_checks(marts)]
