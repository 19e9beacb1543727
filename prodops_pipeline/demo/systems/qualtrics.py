"""Our NPS surveys as Fivetran lands Qualtrics: each survey with an NPS question (QID1) and a text entry
for the comment (QID2); each response with the respondent's e-mail; each e-mail or SMS delivery as its
distribution's contact, the directory holding every CRM contact. Qualtrics lands no record of an in-product
survey being shown, so in-app deliveries are not written. One response comes from an e-mail no CRM contact
has: landing quarantines it as unmapped."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import canonical_table, timestamp_text, write_query

CHANNELS = "CASE channel WHEN 'link' THEN 'anonymous' WHEN 'sms' THEN 'smsinvite' WHEN 'in_app' THEN 'app' ELSE channel END"
STRANGER = "someone@unknown.example.com"


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    root = out / "qualtrics"
    responses, contacts = canonical_table(canonical, "survey_responses"), canonical_table(canonical, "contacts")
    deliveries = canonical_table(canonical, "survey_deliveries") if (canonical / "survey_deliveries").is_dir() else None
    surveys = f"SELECT DISTINCT survey_id FROM {responses}" + (f" UNION SELECT survey_id FROM {deliveries}" if deliveries else "")
    rows = {}
    rows["question"] = write_query(con, (
        f"SELECT q.id, s.survey_id, q.question_type, q.selector, q.question_text, false AS _fivetran_deleted "
        f"FROM ({surveys}) s, (VALUES ('QID1', 'MC', 'NPS', 'How likely are you to recommend us?'), "
        "('QID2', 'TE', 'ML', 'What is the main reason for your score?')) AS q(id, question_type, selector, question_text) "
        "ORDER BY s.survey_id, q.id"), root / "question" / "question.csv")
    rows["survey_response"] = write_query(con, (
        f"SELECT r.response_id AS id, r.survey_id, c.email AS recipient_email, {CHANNELS} AS distribution_channel, "
        f"{timestamp_text('r.responded_at', fraction=True)} AS recorded_date, true AS finished FROM {responses} r "
        f"JOIN {contacts} c USING (user_id) "
        f"UNION ALL SELECT 'R_stranger', 'nps_in_app', {lit(STRANGER)}, 'app', '2026-02-01 10:00:00.000000', true "
        "ORDER BY recorded_date, id"), root / "survey_response" / "survey_response.csv")
    rows["question_response"] = write_query(con, (
        f"SELECT response_id, 'QID1' AS question_id, CAST(score AS VARCHAR) AS value FROM {responses} "
        f"UNION ALL SELECT response_id, 'QID2', comment FROM {responses} WHERE comment IS NOT NULL AND comment <> '' "
        "UNION ALL SELECT 'R_stranger', 'QID1', '9' ORDER BY response_id, question_id"),
        root / "question_response" / "question_response.csv")
    if deliveries:
        sent = f"SELECT * FROM {deliveries} WHERE channel IN ('email', 'sms')"
        rows["directory_contact"] = write_query(con, (
            f"SELECT 'CID_' || user_id AS id, 'POOL_customers' AS directory_id, email FROM {contacts} ORDER BY id"),
            root / "directory_contact" / "directory_contact.csv")
        rows["distribution"] = write_query(con, (
            f"SELECT DISTINCT 'EMD_' || survey_id || '_' || channel AS id, survey_id AS survey_link_survey_id, "
            f"CASE channel WHEN 'sms' THEN 'SMSInvite' ELSE 'Invite' END AS request_type, false AS _fivetran_deleted "
            f"FROM ({sent}) ORDER BY id"), root / "distribution" / "distribution.csv")
        rows["distribution_contact"] = write_query(con, (
            f"SELECT 'CID_' || user_id AS contact_id, 'EMD_' || survey_id || '_' || channel AS distribution_id, "
            f"{timestamp_text('sent_at', fraction=True)} AS sent_at FROM ({sent}) ORDER BY distribution_id, contact_id"),
            root / "distribution_contact" / "distribution_contact.csv")
    return rows
