"""Settings that change what the data means, remembered with what was built under them.

The source time zone and the deployment currency decide how rows are read and judged at landing;
the reporting time zone decides every day, week and month the warehouse holds, and the dbt vars of
dbt_project.yml (systems per kind, the NPS minimum sample) what its models mean. Each table of the raw
zone remembers the first two as it judged its rows, and the warehouse all of them as it was built. When
one changes, every source file is judged again and every model rebuilt, so that a run gives what a
fresh build under the new settings gives, never a build half in the old meaning. A raw table or a
warehouse made before these records existed is treated as changed: its meaning is not known.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .ingest.raw_zone import read_json, write_json_atomically
from .settings import CHECKOUT_ROOT, Settings

# how rows are read and judged at landing (the CRM whose ids they must carry, how accounts map to it, and the
# rules themselves)
JUDGING = ("PRODOPS_SOURCE_TIMEZONE", "PRODOPS_CURRENCY", "PRODOPS_SYSTEMS", "account mapping", "landing rules")
# Changed whenever a landing rule changes what an existing source row lands as: every raw table is then judged
# again once, instead of keeping rows landed under the old rules beside rows landed under the new.
LANDING_RULES = "2: answers to NPS questions judged as scores; Pendo visitors the CRM lacks quarantined"
# Changed whenever a model's tables change their layout in a way an incremental build cannot take over (a
# table becoming partitioned, a column every row must carry): every model is then rebuilt once, instead of
# appending to the old layout. 2: on Spark, the incremental usage marts partitioned by their period.
TABLE_LAYOUT = "3: the large incremental tables stamp each row with the build that wrote it (_written_at)"
# how the warehouse buckets time, defines its models and lays out their tables
REPORTING = ("PRODOPS_TIMEZONE", "dbt vars", "table layout")
DBT_PROJECT_FILE = CHECKOUT_ROOT / "dbt_project" / "dbt_project.yml"
RUN_VARS = {"reporting_timezone", "as_of", "lookback_days", "first_day", "deployment_currency"}  # given by the settings per run
UNRECORDED = "no record of the settings it was made with"


def _declared_vars() -> dict:
    return yaml.safe_load(DBT_PROJECT_FILE.read_text())["vars"]


def dbt_var(name: str):
    """One var of dbt_project.yml, as the models read it (e.g. `nps_min_sample`)."""
    return _declared_vars()[name]


def definition_vars() -> str:
    """The dbt vars that define what the models mean, as one comparable text."""
    return json.dumps({k: v for k, v in _declared_vars().items() if k not in RUN_VARS}, sort_keys=True)


def meaning(settings: Settings, names: tuple[str, ...] = JUDGING + REPORTING) -> dict[str, str]:
    values = {"PRODOPS_SOURCE_TIMEZONE": lambda: settings.source_timezone,
              "PRODOPS_CURRENCY": lambda: settings.currency or "(the one currency of the data)",
              "PRODOPS_TIMEZONE": lambda: settings.timezone, "dbt vars": definition_vars,
              "PRODOPS_SYSTEMS": lambda: ",".join(f"{k}={v}" for k, v in settings.kind_systems.items()),
              "account mapping": lambda: _account_mapping(settings), "landing rules": lambda: LANDING_RULES,
              "table layout": lambda: TABLE_LAYOUT}
    return {name: values[name]() for name in names}  # dbt_project.yml is read only when its vars are asked for


def _account_mapping(settings: Settings) -> str:
    from .ingest.raw_zone import content_hash

    file = settings.account_map
    digest = content_hash(file) if file and file.is_file() else "none"
    return (f"zendesk organization field {settings.zendesk_account_field}; stripe customer metadata key "
            f"{settings.stripe_account_key}; pendo account field {settings.pendo_account_field}; "
            f"mapping file {file or 'none'} (sha256 {digest[:12]})")


def record(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, values)


def changes(before: dict[str, str] | None, now: dict[str, str], made: bool = True) -> list[str]:
    """One line per setting whose value differs from the one recorded. Nothing recorded: nothing to compare
    for what was not made yet, and an unknown meaning for what was."""
    if before is None:
        return [UNRECORDED] if made else []
    return [f"{name} {before.get(name)!r} → {value!r}" for name, value in now.items() if before.get(name) != value]


def warehouse_record(settings: Settings) -> Path:
    """Beside the engine's warehouse: each engine's tables were built under their own settings."""
    return settings.warehouse.with_suffix(".settings.json")


def pending_changes(settings: Settings) -> list[str]:
    """What the next run will find changed, against the warehouse's record or any raw table's."""
    from .ingest.raw_zone import TableZone
    from .ingest.systems import selected_tables

    found = dict.fromkeys(changes(read_json(warehouse_record(settings)), meaning(settings), settings.warehouse.exists()))
    for table in selected_tables(settings.kind_systems):
        zone = TableZone(settings.raw_zone, table.name)
        found.update(dict.fromkeys(changes(zone.judged_with(), meaning(settings, JUDGING), bool(zone.manifest()))))
    return list(found)
