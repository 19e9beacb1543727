"""Salesforce as Fivetran lands it: the CRM kind (accounts and contacts).

Fivetran's history mode lands one row per version with `_fivetran_active`; without it, one row per
record. Either way staging keeps each record's current row, so these tables have no single-column key.
CreatedDate is not required: Fivetran's own Account seed lacks it, and no metric reads an account's.
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

SYSTEM = System("salesforce", ("crm",), TABLES, account_keys=("salesforce__account", "id"),
                contact_keys=("salesforce__contact", "id"))
