"""HubSpot as Fivetran lands it: the CRM kind (companies and contacts) and the tickets kind (tickets, their
pipeline stages and their history).

A company is a canonical account and a contact a canonical user (its id is the user id usage events and
surveys carry). Region, employee band, a ticket's type, feature, CSAT and a contact's internal flag are
custom properties (`property_<name>`, as Fivetran lands them): HubSpot has none built in. A ticket's account
is the company its `ticket_company` association names, so a ticket with no company is quarantined as
unmapped; a ticket's status is its pipeline stage's, its history the stage changes of
`ticket_property_history` and the e-mails and notes associated with it.

Where no billing system is named, HubSpot serves subscriptions too: a deal in a closed-won stage is a
contract of the company its `deal_company` association names, from `property_contract_start_date` (else its
close date, else its creation) to `property_contract_end_date` (inclusive; else its term later), renewing on
`property_renewal_date` (else the day after it ends); its MRR is HubSpot's `hs_mrr` where set, else the amount
over the term in months (`property_contract_term`, else the dbt var crm_contract_months). A deal of the trial
type (`property_dealtype`, dbt var crm_trial_type) is a trial, won or not. Contract dates, term, renewal date,
seats and plan are custom properties.
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

DEAL_TABLES = (
    Table(
        "hubspot__deal_pipeline_stage", "subscriptions", key=None, system="hubspot",
        columns=(
            Column("stage_id", "string", required=True),
            Column("pipeline_id", "string"),
            Column("label", "string"),
            Column("closed_won", "boolean"),
            DELETED,
            SYNCED,
        ),
    ),
    # before the deals: it is their account mapping
    Table(
        "hubspot__deal_company", "subscriptions", key=None, system="hubspot",
        columns=(
            Column("deal_id", "string", required=True),
            Column("company_id", "string", required=True, references=("hubspot__company", "id")),
            SYNCED,
        ),
    ),
    Table(
        "hubspot__deal", "subscriptions", key=None, system="hubspot", core=True,
        columns=(
            Column("deal_id", "string", required=True, maps_account=True),
            Column("deal_pipeline_stage_id", "string", required=True,
                   references=("hubspot__deal_pipeline_stage", "stage_id")),
            Column("property_dealname", "string"),
            Column("property_dealtype", "string"),
            Column("property_closedate", "date"),  # HubSpot sets it when a deal is won
            Column("property_createdate", "date"),
            Column("property_amount", "decimal", min_value=0),
            Column("property_hs_mrr", "decimal", min_value=0),
            Column("property_deal_currency_code", "string", currency=True),
            Column("property_contract_start_date", "date"),
            Column("property_contract_end_date", "date"),
            Column("property_contract_term", "integer", min_value=1),
            Column("property_renewal_date", "date"),
            Column("property_seats", "integer", min_value=0),
            Column("property_plan", "string"),
            Column("is_deleted", "boolean"),
            SYNCED,
        ),
    ),
)


def _association(table: str, key: str, record: str) -> AccountMap:
    return AccountMap(table, key, field=lambda settings: "company_id",
                      describe=lambda settings: f"a {table.removeprefix('hubspot__')} row associating the {record} "
                                                "with a landed hubspot company, or a row of the account mapping file")


SYSTEM = System(
    "hubspot", ("crm", "tickets"), CRM_TABLES + TICKET_TABLES + DEAL_TABLES, also=("subscriptions",),
    account_keys=("hubspot__company", "id"),
    contact_keys=("hubspot__contact", "id"),
    account_map=_association("hubspot__ticket_company", "ticket_id", "ticket"),
    table_account_maps={"hubspot__deal": _association("hubspot__deal_company", "deal_id", "deal")},
)
