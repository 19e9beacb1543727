"""Our usage as Fivetran lands Pendo: one Pendo account per CRM account (its id the account id), one
visitor per user, the catalogue as tagged features in product-area groups, and every event counted in its
visitor x account x hour bucket (feature uses also in their feature's bucket), written one file per day.
One Pendo account that maps to no CRM account has a few buckets: landing quarantines them as unmapped.
Pendo has no retirement date for a feature, so a retired feature is written as a current one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import write_query

APP = "-323232"
UNMAPPED_ACCOUNT = "pendo_trial_workspace"


def _hour(column: str) -> str:
    return f"strftime(date_trunc('hour', {column}), '%Y-%m-%d %H:00:00')"


def _time(column: str) -> str:
    return f"strftime({column}, '%Y-%m-%d %H:%M:%S')"


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    root = out / "pendo"
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE OR REPLACE TEMP TABLE events AS SELECT * FROM read_csv({lit(str(canonical / 'usage_events' / '*.csv'))}, "
                "header = true, union_by_name = true, types = {'occurred_at': 'TIMESTAMPTZ', 'received_at': 'TIMESTAMPTZ'}) "
                "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at NULLS LAST) = 1")  # one per event, redelivered or not
    features = f"read_json({lit(str(canonical / 'features' / '*'))}, format = 'newline_delimited')"
    accounts = f"read_csv({lit(str(canonical / 'accounts' / '*'))}, header = true, types = {{'created_at': 'TIMESTAMPTZ'}})"
    rows = {}
    rows["account_history"] = write_query(con, (
        f"SELECT account_id AS id, {_time('created_at')} AS last_updated_at, {_time('created_at')} AS _fivetran_synced, "
        f"account_name AS agent_name FROM {accounts} "
        f"UNION ALL SELECT {lit(UNMAPPED_ACCOUNT)}, '2025-01-01 00:00:00', '2025-01-01 00:00:00', 'Trial workspace' ORDER BY id"),
        root / "account_history" / "account_history.csv")
    rows["group"] = write_query(con, (
        f"SELECT DISTINCT '_grp_' || product_area AS id, product_area AS name FROM {features} "
        "WHERE product_area IS NOT NULL ORDER BY id"), root / "group" / "group.csv")
    rows["feature_history"] = write_query(con, (
        f"SELECT feature_key AS id, feature_name AS name, '_grp_' || product_area AS group_id, "
        f"strftime(CAST(released_at AS DATE), '%Y-%m-%d 00:00:00') AS created_at, "
        f"strftime(CAST(released_at AS DATE), '%Y-%m-%d 00:00:00') AS last_updated_at, is_core AS is_core_event, "
        f"strftime(CAST(released_at AS DATE), '%Y-%m-%d 06:00:00') AS _fivetran_synced FROM {features} ORDER BY id"),
        root / "feature_history" / "feature_history.csv")
    # whole buckets, however late their events arrived, each synced when its last event was received
    bucket = (f"visitor_id, account_id, {_hour('occurred_at')} AS timestamp, count(*) AS num_events, "
              "count(DISTINCT date_trunc('minute', occurred_at)) AS num_minutes, "
              f"'{APP}' AS app_id, {_time('max(coalesce(received_at, occurred_at))')} AS _fivetran_synced")
    con.execute(f"CREATE OR REPLACE TEMP TABLE all_buckets AS SELECT {bucket} FROM "
                "(SELECT *, user_id AS visitor_id FROM events) GROUP BY visitor_id, account_id, 3 "
                f"UNION ALL SELECT 'visitor_trial_' || n, {lit(UNMAPPED_ACCOUNT)}, '2026-01-0' || n || ' 09:00:00', 3, 2, "
                f"'{APP}', '2026-01-0' || n || ' 10:00:00' FROM range(1, 4) AS r(n)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE feature_buckets AS SELECT feature_key AS feature_id, {bucket} FROM "
                "(SELECT *, user_id AS visitor_id FROM events WHERE event_name = 'feature_used' AND feature_key IS NOT NULL) "
                "GROUP BY feature_key, visitor_id, account_id, 4")
    for table, source in (("event", "all_buckets"), ("feature_event", "feature_buckets")):
        rows[table] = 0
        for (day,) in con.sql(f"SELECT DISTINCT left(timestamp, 10) FROM {source} ORDER BY 1").fetchall():
            rows[table] += write_query(con, f"SELECT * FROM {source} WHERE left(timestamp, 10) = {lit(day)} "
                                            "ORDER BY timestamp, visitor_id, account_id",
                                       root / table / f"{day}.csv")
    return rows
