"""Pendo as Fivetran lands it: the usage kind (hourly event buckets, the feature catalogue) and, where
no survey tool is named, the surveys kind (NPS polls shown in guides).

Pendo's event tables are hourly buckets, one row per visitor x account x hour (and feature), with the
count of events in `num_events`: staging weighs each row by it. A visitor id is the product's user id,
as Pendo's install snippet is given it: a CRM contact id. A visitor the CRM does not have (an anonymous
visitor, a trial user) is quarantined as an orphan, as a user our own layout does not know is, rather than
landed and then left out of every customer metric. A Pendo account maps to the CRM's account through a field of
its latest `account_history` version (PRODOPS_PENDO_ACCOUNT_FIELD, default `id`: the product's own
account id, which is the CRM's where the product and the CRM share it).
"""

from __future__ import annotations

from ..contract import Column, NpsAnswers, Table
from ..validation import q
from . import AccountMap, System

SYNCED = Column("_fivetran_synced", "timestamp")
BUCKET = (
    Column("visitor_id", "string", required=True, references=("contacts", "user_id")),
    Column("account_id", "string", required=True, maps_account=True),
    Column("timestamp", "timestamp", required=True),
    Column("num_events", "integer", required=True, min_value=0),
    Column("num_minutes", "integer", min_value=0),
    Column("app_id", "string"),
    SYNCED,
)

TABLES = (
    Table(
        "pendo__account_history", "usage", key=None, system="pendo", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("last_updated_at", "timestamp"),
            SYNCED,
        ),
    ),
    Table(
        "pendo__group", "usage", key="id", system="pendo", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("name", "string"),
        ),
    ),
    Table(
        "pendo__feature_history", "usage", key=None, system="pendo", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("name", "string", required=True),
            Column("group_id", "string"),
            Column("created_at", "timestamp", required=True),
            Column("last_updated_at", "timestamp"),
            Column("is_core_event", "boolean"),
            SYNCED,
        ),
    ),
    Table("pendo__event", "usage", key=None, system="pendo", core=True, columns=BUCKET),
    Table(
        "pendo__feature_event", "usage", key=None, system="pendo",
        columns=(Column("feature_id", "string", required=True, references=("pendo__feature_history", "id")), *BUCKET),
    ),
    Table(
        "pendo__poll", "surveys", key="id", system="pendo",
        columns=(
            Column("id", "string", required=True),
            Column("attribute_type", "string"),
            Column("attribute_follow_up", "string"),
            Column("question", "string"),
            SYNCED,
        ),
    ),
    Table(
        "pendo__poll_event", "surveys", key=None, system="pendo",
        nps_answers=NpsAnswers("poll_response", ("poll_id",), "SELECT id AS k FROM {pendo__poll} "
                               "WHERE lower(attribute_type) = 'npsrating'", ("pendo__poll",), "the answer to an NPS poll"),
        columns=(
            Column("poll_id", "string", required=True, references=("pendo__poll", "id")),
            Column("guide_id", "string", required=True),
            Column("visitor_id", "string", required=True, references=("contacts", "user_id")),
            Column("account_id", "string", required=True, maps_account=True),
            Column("timestamp", "timestamp", required=True),
            Column("poll_response", "string"),
            Column("event_id", "string"),
            SYNCED,
        ),
    ),
    Table(
        "pendo__guide_event", "surveys", key=None, system="pendo", optional=True,
        columns=(
            Column("guide_id", "string", required=True),
            Column("visitor_id", "string", required=True, references=("contacts", "user_id")),
            Column("account_id", "string"),
            Column("timestamp", "timestamp", required=True),
            Column("type", "string", required=True),
            Column("event_id", "string"),
            SYNCED,
        ),
    ),
)

SYSTEM = System(
    "pendo", ("usage",), TABLES, also=("surveys",),
    account_map=AccountMap(
        "pendo__account_history", "id",
        field=lambda settings: q(settings.pendo_account_field),
        describe=lambda settings: f"a pendo account whose {settings.pendo_account_field} (latest version) is a CRM "
                                  "account id, or a row of the account mapping file",
        latest="last_updated_at",
    ),
)
