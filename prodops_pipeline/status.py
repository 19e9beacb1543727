"""What the raw zone holds: per table, the last load and the totals, for `prodops status`."""

from __future__ import annotations

from typing import Any

import duckdb

from .ingest.raw_zone import TableZone
from .ingest.systems import selected_tables
from .settings import Settings


def raw_status(settings: Settings) -> list[dict[str, Any]]:
    out = []
    for table in selected_tables(settings.kind_systems):
        zone = TableZone(settings.raw_zone, table.name)
        manifest = zone.manifest()
        loads = zone.loads()
        last = loads[-1] if loads else None
        landing = next((load for load in reversed(loads) if load["files"]), None)
        out.append({
            "table": table.name,
            "kind": table.kind,
            "system": table.system,
            "files_in_raw_zone": len(manifest),
            "rows_landed_total": sum(r.rows_landed for r in manifest.values()),
            "rows_quarantined_total": sum(r.rows_quarantined for r in manifest.values()),
            "last_load": last,
            "last_landing": landing,  # the latest load that found new or changed files
        })
    return out


def unmapped_accounts(settings: Settings, top: int = 5) -> list[dict[str, Any]]:
    """Per table whose rows map to the CRM's accounts: the keys quarantined as unmapped, most rows first."""
    from .ingest.raw_zone import QUARANTINE
    from .ingest.validation import Reason, lit, q

    out = []
    for table in selected_tables(settings.kind_systems):
        zone = TableZone(settings.raw_zone, table.name)
        column = table.account_column
        if not column or not any((zone.root / QUARANTINE).glob("*/*.parquet")):
            continue
        with duckdb.connect() as con:
            rows = con.sql(
                f"SELECT coalesce({q(column)}, '(none)') AS key, count(*) AS n, count(*) OVER () AS keys "
                f"FROM read_parquet({lit(zone.glob(QUARANTINE))}, union_by_name = true) "
                f"WHERE contains(_rule, {lit(Reason.unmapped(column))}) GROUP BY 1 ORDER BY n DESC, key LIMIT {top}").fetchall()
        if rows:
            out.append({"system": table.system, "table": table.name, "column": column, "keys": rows[0][2],
                        "top": [{"key": key, "rows": n} for key, n, _ in rows]})
    return out
