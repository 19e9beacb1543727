"""What every vendor writer shares: Fivetran's timestamp text, and a query written as a CSV table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..writer import write


def fivetran_time(column: str) -> str:
    """SQL: our ISO-8601 UTC text as Fivetran lands a timestamp (UTC, no zone: '2026-01-31 23:30:00')."""
    return f"replace(replace({column}, 'T', ' '), 'Z', '')"


def write_query(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    table = con.sql(sql).fetch_arrow_table()
    write(table, path, "csv")
    return table.num_rows
