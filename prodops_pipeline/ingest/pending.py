"""Which source files are not landed yet, judged by size and modification time (no hashing): cheap
enough for a sensor to ask every few minutes."""

from __future__ import annotations

from ..settings import Settings
from .landing import SourceError, source_files
from .raw_zone import TableZone
from .systems import selected_tables


def pending_files(settings: Settings) -> dict[str, list[str]]:
    pending: dict[str, list[str]] = {}
    for table in selected_tables(settings.kind_systems):
        manifest = TableZone(settings.raw_zone, table.name).manifest()
        try:
            files = source_files(settings, table)
        except SourceError:
            continue  # a missing folder is reported by the run itself
        for path in files:
            rel = path.relative_to(settings.source_root(table.system)).as_posix()
            record, stat = manifest.get(rel), path.stat()
            if not record or (record.size, record.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                pending.setdefault(table.name, []).append(rel)
    return pending
