"""Our tickets and their history as Fivetran lands Zendesk Support: one organization per account (its
external_id the account id), one end user per contact, one agent; comments and status changes by day,
CSAT in the field history. One organization that maps to no account has two tickets: landing
quarantines them as unmapped, as it would a real one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import EVENT_COLUMNS, TICKET_COLUMNS, fivetran_time, read_jsonl, write_query

AGENT = "zdu_agent"
UNMAPPED_ORGANIZATION = "org_without_account"


def _user(role: str, requester: str) -> str:
    return f"CASE {role} WHEN 'agent' THEN {lit(AGENT)} WHEN 'end_user' THEN 'zdu_' || {requester} END"


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    root = out / "zendesk"
    con.execute(f"CREATE OR REPLACE TEMP TABLE tickets AS SELECT * FROM {read_jsonl(canonical / 'tickets' / '*.jsonl', TICKET_COLUMNS)}")
    accounts = f"read_csv({lit(str(canonical / 'accounts' / '*'))}, all_varchar = true, header = true)"
    contacts = f"read_csv({lit(str(canonical / 'contacts' / '*'))}, all_varchar = true, header = true)"
    rows = {}
    rows["organization"] = write_query(con, (
        f"SELECT 'org_' || account_id AS id, account_name AS name, account_id AS external_id, "
        f"{fivetran_time('created_at')} AS created_at FROM {accounts} "
        f"UNION ALL SELECT {lit(UNMAPPED_ORGANIZATION)}, 'Walk-in customers', NULL, '2024-01-01 00:00:00' ORDER BY id"),
        root / "organization" / "organization.csv")
    rows["user"] = write_query(con, (
        f"SELECT 'zdu_' || user_id AS id, 'end-user' AS role, user_id AS external_id, email, "
        f"'org_' || account_id AS organization_id, {fivetran_time('created_at')} AS created_at FROM {contacts} "
        f"UNION ALL SELECT {lit(AGENT)}, 'agent', NULL, 'support@example.com', NULL, '2023-01-01 00:00:00' ORDER BY id"),
        root / "user" / "user.csv")
    unmapped = (f"SELECT 'zd_unmapped_' || n AS id, '2026-01-0' || n || ' 10:00:00' AS created_at, "
                f"{lit(UNMAPPED_ORGANIZATION)} AS organization_id, NULL AS requester_id, 'open' AS status, 'normal' AS priority, "
                f"'question' AS type, 'email' AS via_channel, 'Where is my invoice?' AS subject, NULL AS custom_feature_key, "
                f"'2026-01-0' || n || ' 10:00:00' AS _fivetran_synced FROM range(1, 3) AS r(n)")
    rows["ticket"] = write_query(con, (
        f"SELECT ticket_id AS id, {fivetran_time('created_at')} AS created_at, 'org_' || account_id AS organization_id, "
        f"'zdu_' || requester_id AS requester_id, CASE status WHEN 'on_hold' THEN 'hold' ELSE status END AS status, "
        f"priority, type, CASE channel WHEN 'phone' THEN 'voice' ELSE channel END AS via_channel, subject, "
        f"feature_key AS custom_feature_key, {fivetran_time('created_at')} AS _fivetran_synced FROM tickets "
        f"UNION ALL {unmapped} ORDER BY id"),
        root / "ticket" / "ticket.csv")
    rows["ticket_tag"] = write_query(con, (
        "SELECT ticket_id, tag FROM (SELECT ticket_id, unnest(tags) AS tag FROM tickets) ORDER BY ticket_id, tag"),
        root / "ticket_tag" / "ticket_tag.csv")
    rows["ticket_comment"] = rows["ticket_field_history"] = 0
    for day_file in sorted((canonical / "ticket_events").glob("*.jsonl")):
        events = (f"SELECT e.*, t.requester_id FROM {read_jsonl(day_file, EVENT_COLUMNS)} e "
                  f"JOIN tickets t USING (ticket_id)")
        name = day_file.stem + ".csv"
        rows["ticket_comment"] += write_query(con, (
            f"SELECT event_id AS id, ticket_id, {_user('author_role', 'requester_id')} AS user_id, "
            f"{fivetran_time('occurred_at')} AS created, is_public AS public FROM ({events}) WHERE kind = 'comment' "
            f"ORDER BY occurred_at, event_id"), root / "ticket_comment" / name)
        rows["ticket_field_history"] += write_query(con, (
            f"SELECT ticket_id, 'status' AS field_name, {fivetran_time('occurred_at')} AS updated, "
            f"{_user('author_role', 'requester_id')} AS user_id, "
            f"CASE new_status WHEN 'on_hold' THEN 'hold' ELSE new_status END AS value "
            f"FROM ({events}) WHERE kind = 'status_change' ORDER BY occurred_at, event_id"),
            root / "ticket_field_history" / name)
    # CSAT as the field history has it: the ticket's current rating, set at its latest event
    rows["ticket_field_history"] += write_query(con, (
        f"SELECT t.ticket_id, 'satisfaction_score' AS field_name, {fivetran_time('max(e.occurred_at)')} AS updated, "
        f"NULL AS user_id, t.satisfaction AS value FROM tickets t "
        f"JOIN {read_jsonl(canonical / 'ticket_events' / '*.jsonl', EVENT_COLUMNS)} e USING (ticket_id) "
        f"WHERE t.satisfaction IS NOT NULL GROUP BY t.ticket_id, t.satisfaction ORDER BY t.ticket_id"),
        root / "ticket_field_history" / "satisfaction.csv")
    return rows
