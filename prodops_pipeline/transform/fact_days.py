"""The days of the daily usage facts, and those a dbt build gave new data, for the partition view.

A fact's row carries the newest landing time of its events (loaded_at), so the days with rows newer
than the fact's newest before the build are the days it landed data in (every day, for a fact built
for the first time). The staging table of usage events has the days of the user fact, which every
landed event reaches.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb

# partitioned model -> the fact table whose days it reports
FACT_OF = {
    "stg_prodops__usage_events": "intermediate.int_usage_user_daily",
    "int_usage_user_daily": "intermediate.int_usage_user_daily",
    "int_usage_feature_daily": "intermediate.int_usage_feature_daily",
}

Newest = dict[str, datetime | None]


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection | None:
    return duckdb.connect(str(warehouse), read_only=True) if warehouse.exists() else None


def newest_loads(warehouse: Path) -> Newest:
    """Each fact's newest landing time, before a build (None: the fact does not exist yet)."""
    con = _connect(warehouse)
    if con is None:
        return {}
    with con:
        tables = {f"{schema}.{name}" for schema, name in
                  con.execute("select table_schema, table_name from information_schema.tables").fetchall()}
        return {fact: con.execute(f"select max(loaded_at) from {fact}").fetchone()[0]
                for fact in set(FACT_OF.values()) if fact in tables}


def fact_days(warehouse: Path, before: Newest, models: list[str]) -> dict[str, tuple[dict[date, dict], set[date]]]:
    """model -> ({day: metadata} of every day its fact holds, the days of rows landed after `before`:
    all of them for a fact missing from `before`)."""
    con = _connect(warehouse)
    if con is None:
        return {}
    by_fact = {}
    with con:
        for fact in {FACT_OF[model] for model in models}:
            newest = before.get(fact)
            rows = con.execute(f"select day, count(*), max(loaded_at) from {fact} group by day").fetchall()
            by_fact[fact] = ({day: {"fact": fact, "fact_rows": dg.MetadataValue.int(count)} for day, count, _ in rows},
                             {day for day, _, loaded in rows if newest is None or loaded > newest})
    return {model: by_fact[FACT_OF[model]] for model in models}
