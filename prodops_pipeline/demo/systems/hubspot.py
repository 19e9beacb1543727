"""Our accounts, contacts, tickets and their history as Fivetran lands HubSpot: one company per account,
one contact per user; one support pipeline whose stages are our statuses; a ticket's company, requester,
e-mails and notes as associations; its status changes in the property history, by day. Region, employee
band, type, feature, CSAT and the internal flag are custom properties. Two tickets are associated with no
company: landing quarantines them as unmapped, as it would a real one. Where HubSpot serves subscriptions,
our subscription periods as deals (`write_deals`)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .shapes import (CONTRACT_MONTHS, EVENT_COLUMNS, TICKET_COLUMNS, canonical_table, contract_table, read_jsonl,
                     timestamp_text, write_query)

PIPELINE = "0"
# our statuses as one pipeline's stages: (stage id, status, label, ticket_state)
STAGES = (("1", "new", "New", "OPEN"), ("2", "open", "Waiting on us", "OPEN"),
          ("3", "pending", "Waiting on contact", "OPEN"), ("5", "on_hold", "On hold", "OPEN"),
          ("6", "solved", "Solved", "CLOSED"), ("4", "closed", "Closed", "CLOSED"))
STAGE_IDS = "(VALUES " + ", ".join(f"('{i}', '{status}')" for i, status, _, _ in STAGES) + ") AS stage(stage_id, status)"
PRIORITY = "CASE priority WHEN 'normal' THEN 'MEDIUM' ELSE upper(priority) END"
SOURCE = "CASE channel WHEN 'web' THEN 'FORM' ELSE upper(channel) END"
# the categories the tags say: a bug is a product issue
CATEGORY = ("nullif(array_to_string(list_sort(list_filter(list_transform(tags, t -> CASE t WHEN 'bug' THEN 'PRODUCT_ISSUE' "
            "WHEN 'feature_request' THEN 'FEATURE_REQUEST' END), c -> c IS NOT NULL)), ';'), '')")


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    root = out / "hubspot"
    accounts, contacts = canonical_table(canonical, "accounts"), canonical_table(canonical, "contacts")
    con.execute(f"CREATE OR REPLACE TEMP TABLE tickets AS SELECT * FROM {read_jsonl(canonical / 'tickets' / '*.jsonl', TICKET_COLUMNS)}")
    rows = {}
    rows["company"] = write_query(con, (
        f"SELECT account_id AS id, account_name AS property_name, industry AS property_industry, region AS property_region, "
        f"employee_band AS property_employee_band, csm_owner AS property_hubspot_owner_id, "
        f"{timestamp_text('created_at')} AS property_createdate, is_deleted, {timestamp_text('created_at')} AS _fivetran_synced "
        f"FROM {accounts} ORDER BY id"), root / "company" / "company.csv")
    rows["contact"] = write_query(con, (
        f"SELECT user_id AS id, account_id AS property_associatedcompanyid, email AS property_email, role AS property_jobtitle, "
        f"is_internal AS property_is_internal, {timestamp_text('created_at')} AS property_createdate, "
        f"false AS _fivetran_deleted, {timestamp_text('created_at')} AS _fivetran_synced FROM {contacts} ORDER BY id"),
        root / "contact" / "contact.csv")
    rows["ticket_pipeline_stage"] = write_query(con, (
        "SELECT stage_id, '" + PIPELINE + "' AS pipeline_id, label, ticket_state, false AS _fivetran_deleted FROM (VALUES "
        + ", ".join(f"('{i}', '{label}', '{state}')" for i, _, label, state in STAGES)
        + ") AS s(stage_id, label, ticket_state) ORDER BY stage_id"),
        root / "ticket_pipeline_stage" / "ticket_pipeline_stage.csv")
    rows["ticket_company"] = write_query(con, (
        f"SELECT ticket_id, account_id AS company_id, {timestamp_text('created_at')} AS _fivetran_synced FROM tickets "
        "ORDER BY ticket_id"), root / "ticket_company" / "ticket_company.csv")
    unmapped = ("SELECT 'hs_unmapped_' || n AS id, '2026-01-0' || n || ' 10:00:00' AS property_createdate, "
                f"'{PIPELINE}' AS property_hs_pipeline, '1' AS property_hs_pipeline_stage, 'MEDIUM' AS property_hs_ticket_priority, "
                "NULL AS property_hs_ticket_category, 'EMAIL' AS property_source_type, 'Where is my invoice?' AS property_subject, "
                "'question' AS property_ticket_type, NULL AS property_feature_key, NULL AS property_satisfaction, "
                "false AS is_deleted, '2026-01-0' || n || ' 10:00:00' AS _fivetran_synced FROM range(1, 3) AS r(n)")
    rows["ticket"] = write_query(con, (
        f"SELECT ticket_id AS id, {timestamp_text('created_at')} AS property_createdate, '{PIPELINE}' AS property_hs_pipeline, "
        f"stage.stage_id AS property_hs_pipeline_stage, {PRIORITY} AS property_hs_ticket_priority, "
        f"{CATEGORY} AS property_hs_ticket_category, {SOURCE} AS property_source_type, subject AS property_subject, "
        f"type AS property_ticket_type, feature_key AS property_feature_key, satisfaction AS property_satisfaction, "
        f"false AS is_deleted, {timestamp_text('created_at')} AS _fivetran_synced "
        f"FROM tickets JOIN {STAGE_IDS} USING (status) UNION ALL {unmapped} ORDER BY id"),
        root / "ticket" / "ticket.csv")
    rows["ticket_contact"] = write_query(con, (
        "SELECT ticket_id, requester_id AS contact_id FROM tickets WHERE requester_id IS NOT NULL ORDER BY ticket_id"),
        root / "ticket_contact" / "ticket_contact.csv")
    for table in ("ticket_property_history", "ticket_engagement", "engagement_email", "engagement_note"):
        rows[table] = 0
    for day_file in sorted((canonical / "ticket_events").glob("*.jsonl")):
        con.execute(f"CREATE OR REPLACE TEMP TABLE events AS SELECT * FROM {read_jsonl(day_file, EVENT_COLUMNS)} "
                    "WHERE ticket_id IN (SELECT ticket_id FROM tickets)")
        comments = "FROM events WHERE kind = 'comment'"
        note = "author_role = 'agent' AND is_public = 'false'"  # an agent's internal comment
        name = day_file.stem + ".csv"
        rows["ticket_property_history"] += write_query(con, (
            f"SELECT ticket_id, 'hs_pipeline_stage' AS name, stage.stage_id AS value, "
            f"{timestamp_text('occurred_at', fraction=True)} AS timestamp_instant, "
            "CASE author_role WHEN 'agent' THEN 'CRM_UI' ELSE 'AUTOMATION_PLATFORM' END AS source "
            f"FROM events JOIN {STAGE_IDS} ON stage.status = events.new_status "
            "WHERE kind = 'status_change' ORDER BY occurred_at, event_id"), root / "ticket_property_history" / name)
        rows["ticket_engagement"] += write_query(con, (
            f"SELECT ticket_id, event_id AS engagement_id {comments} ORDER BY occurred_at, event_id"),
            root / "ticket_engagement" / name)
        rows["engagement_email"] += write_query(con, (
            f"SELECT event_id AS engagement_id, {timestamp_text('occurred_at', fraction=True)} AS property_hs_timestamp, "
            "CASE author_role WHEN 'end_user' THEN 'INCOMING_EMAIL' ELSE 'EMAIL' END AS property_hs_email_direction, "
            f"false AS _fivetran_deleted {comments} AND NOT ({note}) "
            "ORDER BY occurred_at, event_id"), root / "engagement_email" / name)
        rows["engagement_note"] += write_query(con, (
            f"SELECT event_id AS engagement_id, {timestamp_text('occurred_at', fraction=True)} AS property_hs_timestamp, "
            f"false AS _fivetran_deleted {comments} AND {note} ORDER BY occurred_at, event_id"), root / "engagement_note" / name)
    return rows


def write_deals(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    """Each subscription period as a closed-won deal of its company (a trial as an open deal of type trial),
    HubSpot's hs_mrr its MRR, its contract dates, term, seats and plan custom properties. One more won deal
    is associated with no company: landing quarantines it as unmapped."""
    root = out / "hubspot"
    contract_table(con, canonical)
    rows = {"deal_pipeline_stage": write_query(con, (
        "SELECT * FROM (VALUES ('trial', 'default', 'Trial', false, false), ('closedwon', 'default', 'Closed won', true, false)) "
        "AS s(stage_id, pipeline_id, label, closed_won, _fivetran_deleted) ORDER BY stage_id"),
        root / "deal_pipeline_stage" / "deal_pipeline_stage.csv")}
    rows["deal_company"] = write_query(con, (
        f"SELECT 'deal_' || period_id AS deal_id, account_id AS company_id, start_time AS _fivetran_synced FROM contracts ORDER BY deal_id"),
        root / "deal_company" / "deal_company.csv")
    deals = (
        "SELECT 'deal_' || period_id AS deal_id, 'default' AS deal_pipeline_id, "
        "CASE WHEN is_trial THEN 'trial' ELSE 'closedwon' END AS deal_pipeline_stage_id, plan || ' for ' || account_id AS property_dealname, "
        "CASE WHEN is_trial THEN 'trial' WHEN is_first THEN 'newbusiness' ELSE 'existingbusiness' END AS property_dealtype, "
        f"start_time AS property_closedate, CASE WHEN NOT is_trial THEN amount END AS property_amount, "
        "CASE WHEN NOT is_trial THEN mrr END AS property_hs_mrr, currency AS property_deal_currency_code, "
        "period_start AS property_contract_start_date, contract_end AS property_contract_end_date, "
        f"{CONTRACT_MONTHS} AS property_contract_term, renewal_date AS property_renewal_date, seats AS property_seats, plan AS property_plan, false AS is_deleted, "
        f"start_time AS _fivetran_synced FROM contracts "
        "UNION ALL SELECT 'deal_without_company', 'default', 'closedwon', 'Unassociated renewal', 'existingbusiness', "
        "'2026-01-05 00:00:00', 1200, 100, 'USD', NULL, NULL, NULL, NULL, 1, 'starter', false, '2026-01-05 00:00:00'")
    rows["deal"] = write_query(con, f"SELECT * FROM ({deals}) ORDER BY deal_id", root / "deal" / "deal.csv")
    return rows
