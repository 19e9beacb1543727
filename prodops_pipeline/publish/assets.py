"""The publish asset: downstream of every mart and its blocking checks, so it runs only on an audited build."""

import dagster as dg
import duckdb

from ..audit.audited_rows import audit_fingerprints
from ..audit.gx_project import build_data_docs
from ..ingest.systems import selected_tables
from ..ingest.raw_zone import TableZone
from ..resources import PipelineSettings
from .build import publish


def build_publish_asset(marts: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        name="analyst_database",
        group_name="publish",
        deps=[dg.AssetKey(m) for m in marts],
        kinds={"duckdb", "parquet"},
        description="The audited marts as the read-only analyst database and one Parquet file per mart, "
                    "swapped in whole. Runs only when every blocking check upstream passed.",
    )
    def analyst_database(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
        config = settings.get()
        tables = selected_tables(config.kind_systems)
        raw_rows = {t.name: TableZone(config.raw_zone, t.name).landed_rows() for t in tables}
        empty = [t.name for t in tables if t.core and not raw_rows[t.name]]
        if empty:
            # every check passes on an empty table: retention of no customer is a column of zeros
            raise dg.Failure(description=(
                f"not published: no row of {', '.join(empty)} is landed, and the marts mean nothing without "
                "them. Look at the quarantine reasons (`prodops status`): fix the source or the setting "
                "that rejects them, then `prodops ingest --recheck` and run again."))
        with duckdb.connect(str(config.warehouse), read_only=True) as con:
            high_water_mark = con.sql("SELECT CAST(high_water_mark_at AS VARCHAR) FROM intermediate.int_reporting_clock").fetchone()[0]
            # landing admits one currency: the setting's, or else the one the data uses
            used = con.sql("SELECT max(upper(currency)) FROM intermediate.int_subscription_periods").fetchone()[0]
        currency = config.currency or used
        info = publish(config, marts, raw_rows, high_water_mark, currency, audit_fingerprints(config, marts))
        docs = build_data_docs(config)
        context.log.info(f"published build {info['build_id']} to {config.analyst_database}")
        return dg.MaterializeResult(metadata={
            "build_id": info["build_id"],
            "database": dg.MetadataValue.path(str(config.analyst_database)),
            "parquet": dg.MetadataValue.path(str(config.published / "parquet")),
            "mart_rows": dg.MetadataValue.json(info["mart_rows"]),
            "high_water_mark": str(high_water_mark),
            "data_docs": dg.MetadataValue.path(str(docs)),
        })

    return analyst_database
