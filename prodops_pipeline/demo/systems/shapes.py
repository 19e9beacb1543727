"""What every vendor writer shares: reading a canonical table, Fivetran's timestamp text, and a query
written as a CSV table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from ..writer import write

READERS = {".csv": "read_csv({}, all_varchar = true, header = true)",
           ".jsonl": "read_json({}, format = 'newline_delimited')",
           ".parquet": "read_parquet({})"}
TICKET_COLUMNS = ("ticket_id VARCHAR, account_id VARCHAR, requester_id VARCHAR, created_at VARCHAR, status VARCHAR, "
                  "priority VARCHAR, type VARCHAR, tags VARCHAR[], feature_key VARCHAR, channel VARCHAR, "
                  "subject VARCHAR, satisfaction VARCHAR")
EVENT_COLUMNS = ("event_id VARCHAR, ticket_id VARCHAR, occurred_at VARCHAR, kind VARCHAR, author_role VARCHAR, "
                 "is_public VARCHAR, new_status VARCHAR")


def canonical_table(canonical: Path, table: str) -> str:
    """SQL: a canonical table whatever its files' format (CSV values as text)."""
    files = sorted(p for p in (canonical / table).glob("*") if p.is_file())
    parts = []
    for suffix, reader in READERS.items():
        paths = [str(p) for p in files if p.suffix == suffix]
        if paths:
            parts.append(f"SELECT * FROM {reader.format('[' + ', '.join(lit(p) for p in paths) + ']')}")
    return "(" + " UNION ALL BY NAME ".join(parts) + ")"


def read_jsonl(path: Path, columns: str) -> str:
    """SQL: canonical JSON Lines with these columns (`name TYPE, ...`), whichever a file's rows have."""
    spec = "{" + ", ".join(f"'{c.split()[0]}': '{c.split(maxsplit=1)[1]}'" for c in columns.split(", ")) + "}"
    return f"read_json({lit(str(path))}, format = 'newline_delimited', columns = {spec})"


def fivetran_time(column: str) -> str:
    """SQL: our ISO-8601 UTC text as Fivetran lands a timestamp (UTC, no zone: '2026-01-31 23:30:00')."""
    return f"replace(replace({column}, 'T', ' '), 'Z', '')"


def timestamp_text(column: str, fraction: bool = False) -> str:
    """SQL: a timestamp (or its ISO-8601 text) as Fivetran lands it, in UTC (the writers' session zone);
    `fraction`: with microseconds, as Qualtrics has them."""
    return f"strftime(CAST({column} AS TIMESTAMPTZ), '%Y-%m-%d %H:%M:%S{'.%f' if fraction else ''}')"


def write_query(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    table = con.sql(sql).fetch_arrow_table()
    write(table, path, "csv")
    return table.num_rows


CONTRACT_MONTHS = 12  # the term a CRM writer gives each contract: its amount is 12 months of the period's MRR


def contract_table(con: duckdb.DuckDBPyConnection, canonical: Path) -> None:
    """Temp table `contracts`: each canonical subscription period as a CRM contract, its last day (inclusive)
    the day before the period ends, or before its renewal while it still runs, and renewing as the period does; `is_first` marks the first
    contract of a subscription (new business); `start_time` is its first day as Fivetran lands a timestamp."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE contracts AS SELECT period_id, account_id, plan, seats, is_trial = 'true' AS is_trial, "
        f"CAST(mrr AS DECIMAL(18, 4)) AS mrr, CAST(mrr AS DECIMAL(18, 4)) * {CONTRACT_MONTHS} AS amount, upper(currency) AS currency, "
        "period_start, strftime(CAST(coalesce(period_end, renewal_date) AS DATE) - INTERVAL 1 DAY, '%Y-%m-%d') AS contract_end, renewal_date, "
        "strftime(CAST(period_start AS DATE), '%Y-%m-%d 00:00:00') AS start_time, "
        "row_number() OVER (PARTITION BY subscription_id ORDER BY period_start) = 1 AS is_first "
        f"FROM {canonical_table(canonical, 'subscription_periods')}")
