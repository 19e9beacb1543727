"""Qualtrics as Fivetran lands it: the surveys kind.

A response's NPS score is its answer to the survey's NPS question: Qualtrics' Net Promoter question
(`question_type` NPS, or MC with `selector` NPS, as the survey definition exports it). Its comment is the
response's first non-empty answer to a text-entry question (`question_type` TE) of the same survey.
The respondent is the CRM contact with the response's `recipient_email` (compared case-insensitively);
a response without one that a single contact has is quarantined, as unmapped. Preview and test
responses are not responses: landing quarantines them by their channel.

Deliveries are the contacts each distribution sent the survey to (`distribution_contact`), the contact
being the CRM contact with the directory contact's e-mail. Test distributions are not deliveries.
"""

from __future__ import annotations

from ..contract import Column, NpsAnswers, Table
from . import System, UserMap

# anonymous: the survey's link; gl: a personal link; app: collected in the product (an intercept or the API)
CHANNELS = ("email", "smsinvite", "anonymous", "gl", "qr", "social", "app")
SYNCED = Column("_fivetran_synced", "timestamp")

TABLES = (
    Table(
        "qualtrics__question", "surveys", key=None, system="qualtrics", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("survey_id", "string", required=True),
            Column("question_type", "string", required=True),
            Column("selector", "string"),
            Column("question_text", "string"),
            Column("_fivetran_deleted", "boolean"),
            SYNCED,
        ),
    ),
    Table(
        "qualtrics__survey_response", "surveys", key="id", system="qualtrics", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("survey_id", "string", required=True),
            Column("recipient_email", "string", maps_user=True),
            Column("distribution_channel", "string", required=True, allowed=CHANNELS),
            Column("recorded_date", "timestamp", required=True),
            Column("finished", "boolean"),
            SYNCED,
        ),
    ),
    Table(
        "qualtrics__question_response", "surveys", key=None, system="qualtrics", core=True,
        # the NPS question: question_type NPS, or MC with selector NPS
        nps_answers=NpsAnswers(
            "value", ("response_id", "question_id"),
            "SELECT r.id || ':' || q.id AS k FROM {qualtrics__survey_response} r "
            "JOIN {qualtrics__question} q ON q.survey_id = r.survey_id "
            "WHERE NOT coalesce(q._fivetran_deleted, false) "
            "AND (upper(q.question_type) = 'NPS' OR (upper(q.question_type) = 'MC' AND upper(q.selector) = 'NPS'))",
            ("qualtrics__survey_response", "qualtrics__question"), "the answer to its survey's NPS question"),
        columns=(
            Column("response_id", "string", required=True, references=("qualtrics__survey_response", "id")),
            Column("question_id", "string", required=True),
            Column("value", "string"),
            Column("text", "string"),
            Column("sub_question_key", "string"),
            Column("loop_id", "string"),
            SYNCED,
        ),
    ),
)

DELIVERY_TABLES = (
    Table(
        "qualtrics__directory_contact", "surveys", key=None, system="qualtrics", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("directory_id", "string"),
            Column("email", "string", maps_user=True),
            SYNCED,
        ),
    ),
    Table(
        "qualtrics__distribution", "surveys", key="id", system="qualtrics", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("survey_link_survey_id", "string"),
            Column("request_type", "string"),
            Column("_fivetran_deleted", "boolean"),
            SYNCED,
        ),
    ),
    Table(
        "qualtrics__distribution_contact", "surveys", key=None, system="qualtrics", optional=True,
        columns=(
            Column("contact_id", "string", required=True, references=("qualtrics__directory_contact", "id")),
            Column("distribution_id", "string", required=True, references=("qualtrics__distribution", "id")),
            Column("sent_at", "timestamp"),
            Column("response_id", "string"),
            SYNCED,
        ),
    ),
)
TABLES += DELIVERY_TABLES

SYSTEM = System("qualtrics", ("surveys",), TABLES,
                user_map=UserMap(describe="the e-mail of exactly one CRM contact"))
