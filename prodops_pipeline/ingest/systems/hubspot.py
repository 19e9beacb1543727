"""HubSpot as Fivetran lands it: the CRM kind (companies and contacts) and the tickets kind (tickets, their
pipeline stages and their history).

A company is a canonical account and a contact a canonical user (its id is the user id usage events and
surveys carry). Region, employee band, a ticket's type, feature, CSAT and a contact's internal flag are
custom properties (`property_<name>`, as Fivetran lands them): HubSpot has none built in. A ticket's account
is the company its `ticket_company` association names, so a ticket with no company is quarantined as
unmapped; a ticket's status is its pipeline stage's, its history the stage changes of
`ticket_property_history` and the e-mails and notes associated with it.
"""

from __future__ import annotations

from ..contract import Column, Table
from . import AccountMap, System

SYNCED = Column("_fivetran_synced", "timestamp")
DELETED = Column("_fivetran_deleted", "boolean")
PRIORITIES = ("low", "medium", "high", "urgent")  # enum values land lower-cased
EMAIL_DIRECTIONS = ("email", "incoming_email", "forwarded_email")

CRM_TABLES = (
    Table(
        "hubspot__company", "crm", key=None, system="hubspot", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("property_name", "string", required=True),
            Column("property_industry", "string"),
            Column("property_region", "string"),
            Column("property_employee_band", "string"),
            Column("property_hubspot_owner_id", "string"),
            Column("property_createdate", "timestamp"),
            Column("is_deleted", "boolean"),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__contact", "crm", key=None, system="hubspot", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("property_associatedcompanyid", "string", required=True, references=("hubspot__company", "id")),
            Column("property_email", "string"),
            Column("property_jobtitle", "string"),
            Column("property_is_internal", "boolean"),
            Column("property_createdate", "timestamp"),
            DELETED,
            SYNCED,
        ),
    ),
)

TICKET_TABLES = (
    Table(
        "hubspot__ticket_pipeline_stage", "tickets", key=None, system="hubspot",
        columns=(
            Column("stage_id", "string", required=True),
            Column("pipeline_id", "string"),
            Column("label", "string"),
            Column("ticket_state", "string", allowed=("open", "closed")),
            DELETED,
            SYNCED,
        ),
    ),
    # before the tickets: it is their account mapping
    Table(
        "hubspot__ticket_company", "tickets", key=None, system="hubspot",
        columns=(
            Column("ticket_id", "string", required=True),
            Column("company_id", "string", required=True, references=("hubspot__company", "id")),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__ticket", "tickets", key=None, system="hubspot",
        columns=(
            Column("id", "string", required=True, maps_account=True),
            Column("property_createdate", "timestamp", required=True),
            Column("property_hs_pipeline", "string"),
            Column("property_hs_pipeline_stage", "string", required=True,
                   references=("hubspot__ticket_pipeline_stage", "stage_id")),
            Column("property_hs_ticket_priority", "string", allowed=PRIORITIES),
            Column("property_hs_ticket_category", "string"),
            Column("property_source_type", "string"),
            Column("property_subject", "string"),
            Column("property_ticket_type", "string", allowed=("question", "incident", "problem", "task")),
            Column("property_feature_key", "string"),
            Column("property_satisfaction", "string", allowed=("good", "bad", "offered", "unoffered")),
            Column("is_deleted", "boolean"),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__ticket_contact", "tickets", key=None, system="hubspot", optional=True,
        columns=(
            Column("ticket_id", "string", required=True, references=("hubspot__ticket", "id")),
            Column("contact_id", "string", required=True),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__ticket_property_history", "tickets", key=None, system="hubspot",
        columns=(
            Column("ticket_id", "string", required=True, references=("hubspot__ticket", "id")),
            Column("name", "string", required=True),
            Column("value", "string"),
            Column("timestamp_instant", "timestamp", required=True),
            Column("source", "string"),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__ticket_engagement", "tickets", key=None, system="hubspot", optional=True,
        columns=(
            Column("ticket_id", "string", required=True, references=("hubspot__ticket", "id")),
            Column("engagement_id", "string", required=True),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__engagement_email", "tickets", key=None, system="hubspot", optional=True,
        columns=(
            Column("engagement_id", "string", required=True),
            Column("property_hs_timestamp", "timestamp", required=True),
            Column("property_hs_email_direction", "string", allowed=EMAIL_DIRECTIONS),
            DELETED,
            SYNCED,
        ),
    ),
    Table(
        "hubspot__engagement_note", "tickets", key=None, system="hubspot", optional=True,
        columns=(
            Column("engagement_id", "string", required=True),
            Column("property_hs_timestamp", "timestamp", required=True),
            DELETED,
            SYNCED,
        ),
    ),
)

SYSTEM = System(
    "hubspot", ("crm", "tickets"), CRM_TABLES + TICKET_TABLES,
    account_keys=("hubspot__company", "id"),
    contact_keys=("hubspot__contact", "id"),
    account_map=AccountMap(
        "hubspot__ticket_company", "ticket_id",
        field=lambda settings: "company_id",
        describe=lambda settings: "a ticket_company row associating the ticket with a landed hubspot company, "
                                  "or a row of the account mapping file",
    ),
)
