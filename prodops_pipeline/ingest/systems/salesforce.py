"""Salesforce as Fivetran lands it: the CRM kind (accounts and contacts) and, where no billing system is
named, the subscriptions kind (won opportunities as contracts).

Fivetran's history mode lands one row per version with `_fivetran_active`; without it, one row per
record. Either way staging keeps each record's current row, so these tables have no single-column key.
CreatedDate is not required: Fivetran's own Account seed lacks it, and no metric reads an account's.

A won opportunity is a contract: from `contract_start_date_c` (else its close date) to
`contract_end_date_c` (inclusive; else its term later), renewing on `renewal_date_c` (else the day after it
ends), its MRR the amount over the term in months (`contract_term_c`, else the dbt var crm_contract_months),
its seats and plan those of its line items. An opportunity of the trial type (dbt var crm_trial_type) is a
trial, won or not. These `_c` fields are custom: Salesforce has no contract dates on an opportunity.
"""

from __future__ import annotations

from ..contract import Column, Table
from . import System

TABLES = (
    Table(
        "salesforce__account", "crm", key=None, system="salesforce", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("name", "string", required=True),
            Column("industry", "string"),
            Column("region_c", "string"),
            Column("employee_band_c", "string"),
            Column("owner_id", "string"),
            Column("created_date", "timestamp"),
            Column("is_deleted", "boolean"),
            Column("_fivetran_active", "boolean"),
            Column("_fivetran_synced", "timestamp"),
        ),
    ),
    Table(
        "salesforce__contact", "crm", key=None, system="salesforce", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("account_id", "string", required=True, references=("salesforce__account", "id")),
            Column("email", "string"),
            Column("title", "string"),
            Column("is_internal_c", "boolean"),
            Column("created_date", "timestamp"),
            Column("is_deleted", "boolean"),
            Column("_fivetran_active", "boolean"),
            Column("_fivetran_synced", "timestamp"),
        ),
    ),
)

HISTORY = (Column("is_deleted", "boolean"), Column("_fivetran_active", "boolean"), Column("_fivetran_synced", "timestamp"))

SUBSCRIPTION_TABLES = (
    Table(
        "salesforce__opportunity", "subscriptions", key=None, system="salesforce", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("account_id", "string", required=True, references=("salesforce__account", "id")),
            Column("name", "string"),
            Column("type", "string"),
            Column("stage_name", "string"),
            Column("is_won", "boolean"),
            Column("close_date", "date", required=True),
            Column("amount", "decimal", min_value=0),
            Column("currency_iso_code", "string", currency=True),
            Column("contract_start_date_c", "date"),
            Column("contract_end_date_c", "date"),
            Column("contract_term_c", "integer", min_value=1),
            Column("renewal_date_c", "date"),
            *HISTORY,
        ),
    ),
    Table(
        "salesforce__product_2", "subscriptions", key=None, system="salesforce", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("name", "string", required=True),
            *HISTORY,
        ),
    ),
    Table(
        "salesforce__opportunity_line_item", "subscriptions", key=None, system="salesforce", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("opportunity_id", "string", required=True, references=("salesforce__opportunity", "id")),
            Column("product_2_id", "string"),
            Column("quantity", "decimal", min_value=0),
            Column("total_price", "decimal"),
            *HISTORY,
        ),
    ),
)

SYSTEM = System("salesforce", ("crm",), TABLES + SUBSCRIPTION_TABLES, also=("subscriptions",),
                account_keys=("salesforce__account", "id"), contact_keys=("salesforce__contact", "id"))
