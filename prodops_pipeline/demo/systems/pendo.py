"""Our usage as Fivetran lands Pendo: one Pendo account per CRM account (its id the account id), one
visitor per user, the catalogue as tagged features in product-area groups, and every event counted in its
visitor x account x hour bucket (feature uses also in their feature's bucket), written one file per day.
One Pendo account that maps to no CRM account has a few buckets: landing quarantines them as unmapped.
Pendo has no retirement date for a feature, so a retired feature is written as a current one. Where Pendo
serves surveys, they are written as its NPS polls (write_polls)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import canonical_table, timestamp_text, write_query

APP = "-323232"
UNMAPPED_ACCOUNT = "pendo_trial_workspace"
NPS_POLL, REASON_POLL = "poll_nps", "poll_nps_reason"


def _hour(column: str) -> str:
    return f"strftime(date_trunc('hour', {column}), '%Y-%m-%d %H:00:00')"


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    root = out / "pendo"
    con.execute(f"CREATE OR REPLACE TEMP TABLE events AS SELECT * FROM read_csv({lit(str(canonical / 'usage_events' / '*.csv'))}, "
                "header = true, union_by_name = true, types = {'occurred_at': 'TIMESTAMPTZ', 'received_at': 'TIMESTAMPTZ'}) "
                "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at NULLS LAST) = 1")  # one per event, redelivered or not
    features = f"read_json({lit(str(canonical / 'features' / '*'))}, format = 'newline_delimited')"
    accounts = f"read_csv({lit(str(canonical / 'accounts' / '*'))}, header = true, types = {{'created_at': 'TIMESTAMPTZ'}})"
    rows = {}
    rows["account_history"] = write_query(con, (
        f"SELECT account_id AS id, {timestamp_text('created_at')} AS last_updated_at, {timestamp_text('created_at')} AS _fivetran_synced, "
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
              f"'{APP}' AS app_id, {timestamp_text('max(coalesce(received_at, occurred_at))')} AS _fivetran_synced")
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
                                            "ORDER BY ALL",
                                       root / table / f"{day}.csv")
    return rows


def write_polls(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    """Our NPS surveys as Pendo's NPS polls, where Pendo serves surveys: each survey a guide with an NPS
    rating poll and its follow-up free-text poll, each response the visitor's two answers, each delivery
    the guide seen. Pendo shows polls in the product only, so every response lands as in-app."""
    root = out / "pendo"
    responses, contacts = canonical_table(canonical, "survey_responses"), canonical_table(canonical, "contacts")
    con.execute(f"CREATE OR REPLACE TEMP TABLE responses AS SELECT r.* REPLACE (coalesce(r.account_id, c.account_id) "
                f"AS account_id) FROM {responses} r LEFT JOIN {contacts} c USING (user_id)")
    rows = {"poll": write_query(con, (
        f"SELECT * FROM (VALUES ('{NPS_POLL}', 'NPSRating', '{REASON_POLL}', 'How likely are you to recommend us?'), "
        f"('{REASON_POLL}', 'FreeForm', NULL, 'What is the main reason for your score?')) "
        "AS p(id, attribute_type, attribute_follow_up, question)"), root / "poll" / "poll.csv")}
    answer = (f"guide_id, visitor_id, account_id, {timestamp_text('responded_at')} AS timestamp, poll_response, event_id, "
              f"{timestamp_text('responded_at')} AS _fivetran_synced")
    rows["poll_event"] = write_query(con, (
        f"SELECT '{NPS_POLL}' AS poll_id, {answer} FROM (SELECT *, survey_id AS guide_id, user_id AS visitor_id, "
        "CAST(score AS VARCHAR) AS poll_response, response_id AS event_id FROM responses) "
        f"UNION ALL SELECT '{REASON_POLL}', {answer} FROM (SELECT *, survey_id AS guide_id, user_id AS visitor_id, "
        "comment AS poll_response, response_id || ':reason' AS event_id FROM responses WHERE comment <> '') "
        "ORDER BY timestamp, event_id"), root / "poll_event" / "poll_event.csv")
    if (canonical / "survey_deliveries").is_dir():
        rows["guide_event"] = write_query(con, (
            f"SELECT d.survey_id AS guide_id, d.user_id AS visitor_id, c.account_id, {timestamp_text('d.sent_at')} AS timestamp, "
            f"'guideSeen' AS type, d.delivery_id AS event_id, {timestamp_text('d.sent_at')} AS _fivetran_synced "
            f"FROM {canonical_table(canonical, 'survey_deliveries')} d LEFT JOIN {contacts} c USING (user_id) "
            "ORDER BY timestamp, event_id"), root / "guide_event" / "guide_event.csv")
    return rows
