"""What the raw zone holds: per table, the last load and the totals, for `prodops status`."""

from __future__ import annotations

from typing import Any

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
