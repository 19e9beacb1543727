"""One Dagster asset per source table: land new files, quarantine bad rows, report the counts."""

import dagster as dg

from ..partitions import backfill_window, daily_partitions, file_day, report_days
from ..resources import PipelineSettings
from ..settings import Settings
from .contract import Table
from .landing import LoadResult, SourceError, land_table, reference_target
from .raw_zone import TableZone
from .systems import SYSTEMS, selected_tables
from .warehouse import WarehouseError, extract

QUARANTINE_CHECK = "quarantine_rate"


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def load_metadata(result: LoadResult) -> dict:
    r = result.record
    return {
        "load_id": r.load_id,
        "files_landed": dg.MetadataValue.int(len(r.files)),
        "files_unchanged": dg.MetadataValue.int(r.files_unchanged),
        "files": dg.MetadataValue.json(r.files[:200]),
        "rows_read": dg.MetadataValue.int(r.rows_read),
        "rows_landed": dg.MetadataValue.int(r.rows_landed),
        "rows_quarantined": dg.MetadataValue.int(r.rows_quarantined),
        "quarantined_by_reason": dg.MetadataValue.json(r.quarantined_by_reason),
    }


def landed_days(zone: TableZone) -> dict:
    """day -> metadata, for the days of the files landed in the raw zone (a file without a day in its
    path belongs to the run that landed it)."""
    days: dict = {}
    for path, record in zone.manifest().items():
        if day := file_day(path):
            files, rows = days.get(day, ([], 0))
            days[day] = (files + [path], rows + record.rows_landed)
    return {day: {"files": dg.MetadataValue.json(files), "rows_landed": dg.MetadataValue.int(rows)}
            for day, (files, rows) in days.items()}


def quarantine_check(result: LoadResult, max_rate: float) -> dg.AssetCheckResult:
    r = result.record
    rate = r.rows_quarantined / r.rows_read if r.rows_read else 0.0
    return dg.AssetCheckResult(
        check_name=QUARANTINE_CHECK,
        passed=rate <= max_rate,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{r.rows_quarantined} of {r.rows_read} rows quarantined this load ({rate:.2%}); "
                    f"the limit is {max_rate:.2%} (PRODOPS_QUARANTINE_MAX_RATE)",
        metadata={"quarantine_rate": dg.MetadataValue.float(rate), "max_rate": dg.MetadataValue.float(max_rate),
                  "quarantined_by_reason": dg.MetadataValue.json(r.quarantined_by_reason)},
    )


def upstream_tables(settings: Settings, table: Table) -> list[str]:
    """The raw tables landed before this one: those its keys must exist in, those its accounts and people
    map through, and those that say which of its rows answer an NPS question."""
    names = [reference_target(settings, parent, "")[0] for parent in table.parents]
    crm = SYSTEMS[settings.kind_systems["crm"]]
    if table.account_column:
        names += [SYSTEMS[table.system].account_map_of(table.name).table, crm.account_keys[0]]
    if table.user_column:
        names.append(crm.contact_keys[0])
    if table.nps_answers:
        names += table.nps_answers.tables
    return list(dict.fromkeys(names))


def build_ingest_asset(settings: Settings, table: Table) -> dg.AssetsDefinition:
    key = raw_key(table.name)

    @dg.asset(
        key=key,
        group_name=table.kind,
        deps=[raw_key(name) for name in upstream_tables(settings, table)],
        kinds={"duckdb", "parquet"},
        description=f"Source table `{table.folder}` ({table.system}, {table.kind}) landed in the raw zone; "
                    "bad rows in its quarantine.",
        check_specs=[dg.AssetCheckSpec(QUARANTINE_CHECK, asset=key, blocking=True,
                                       description="Share of this load's rows quarantined stays under the limit")],
        metadata={"contract_columns": ", ".join(table.column_names), "optional": table.optional},
        # event-like tables arrive as a file per day: a partition is a day's files
        partitions_def=daily_partitions() if table.event_like else None,
        backfill_policy=dg.BackfillPolicy.single_run() if table.event_like else None,
    )
    def _ingest(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
        config = settings.get()
        pulled = None
        try:
            if config.warehouse_url and table.system != "prodops":
                pulled = extract(config, table)
            result = land_table(config, table, backfill_window(context) if table.event_like else None)
        except (SourceError, WarehouseError) as exc:
            raise dg.Failure(description=str(exc)) from None
        metadata = load_metadata(result)
        if pulled:
            metadata["warehouse_rows_read"] = dg.MetadataValue.int(pulled.rows_read)
            metadata["warehouse_synced_until"] = str(pulled.until)
        if result.unreadable:
            problems = "; ".join(str(u) for u in result.unreadable)
            raise dg.Failure(
                description=f"{table.name}: {len(result.unreadable)} file(s) could not be read: {problems}. "
                            "The other files were landed; fix or remove these and run again.",
                metadata={**metadata, "unreadable": dg.MetadataValue.json(result.record.unreadable)},
            )
        if table.event_like:
            report_days(context, key, landed_days(TableZone(config.raw_zone, table.name)),
                        changed={day for path in result.record.files if (day := file_day(path))})
        context.log.info(f"{table.name}: {result.record.rows_landed} rows landed, "
                         f"{result.record.rows_quarantined} quarantined from {len(result.record.files)} new file(s)")
        return dg.MaterializeResult(metadata=metadata, check_results=[quarantine_check(result, config.quarantine_max_rate)])

    return _ingest


def build_ingest_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """One asset per source table of the selected systems."""
    return [build_ingest_asset(settings, t) for t in selected_tables(settings.kind_systems)]
