"""Settings that change what the data means, remembered with what was built under them.

The source time zone and the deployment currency decide how rows are read and judged at landing;
the reporting time zone decides every day, week and month the warehouse holds. Each table of the raw
zone remembers the first two as it judged its rows, and the warehouse all three as it was built. When
one changes, every source file is judged again and every model rebuilt, so that a run gives what a
fresh build under the new settings gives, never a build half in the old meaning.
"""

from __future__ import annotations

from pathlib import Path

from .ingest.raw_zone import read_json, write_json_atomically
from .settings import Settings

JUDGING = ("PRODOPS_SOURCE_TIMEZONE", "PRODOPS_CURRENCY")  # how rows are read and judged at landing
REPORTING = ("PRODOPS_TIMEZONE",)  # how the warehouse buckets time


def meaning(settings: Settings, names: tuple[str, ...] = JUDGING + REPORTING) -> dict[str, str]:
    values = {"PRODOPS_SOURCE_TIMEZONE": settings.source_timezone,
              "PRODOPS_CURRENCY": settings.currency or "(the one currency of the data)",
              "PRODOPS_TIMEZONE": settings.timezone}
    return {name: values[name] for name in names}


def record(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, values)


def changes(before: dict[str, str] | None, now: dict[str, str]) -> list[str]:
    """One line per setting whose value differs from the one recorded (nothing recorded: nothing to compare)."""
    if before is None:
        return []
    return [f"{name} {before.get(name)!r} → {value!r}" for name, value in now.items() if before.get(name) != value]


def warehouse_record(settings: Settings) -> Path:
    return settings.home / "warehouse.settings.json"


def pending_changes(settings: Settings) -> list[str]:
    """What the next run will find changed, against the warehouse's record or any raw table's."""
    from .ingest.contract import TABLES
    from .ingest.raw_zone import TableZone

    found = dict.fromkeys(changes(read_json(warehouse_record(settings)), meaning(settings)))
    for table in TABLES:
        zone = TableZone(settings.raw_zone, table.name)
        found.update(dict.fromkeys(changes(zone.judged_with(), meaning(settings, JUDGING))))
    return list(found)
