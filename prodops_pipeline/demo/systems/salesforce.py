"""Our accounts and contacts as Fivetran lands Salesforce's Account and Contact, in history mode:
every tenth account also has an earlier version (its former name), no longer active. Where Salesforce serves
subscriptions, our subscription periods as opportunities (`write_opportunities`)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import CONTRACT_MONTHS, contract_table, fivetran_time, write_query


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    accounts = f"read_csv({lit(str(canonical / 'accounts' / '*'))}, all_varchar = true, header = true)"
    contacts = f"read_csv({lit(str(canonical / 'contacts' / '*'))}, all_varchar = true, header = true)"
    current = (f"SELECT account_id AS id, account_name AS name, industry, region AS region_c, "
               f"employee_band AS employee_band_c, csm_owner AS owner_id, {fivetran_time('created_at')} AS created_date, "
               f"is_deleted, 'true' AS _fivetran_active, {fivetran_time('created_at')} AS _fivetran_synced FROM {accounts}")
    former = (f"SELECT id, name || ' (former name)' AS name, industry, region_c, employee_band_c, owner_id, created_date, "
              f"is_deleted, 'false' AS _fivetran_active, strftime(CAST(created_date AS TIMESTAMP) - INTERVAL 1 MINUTE, "
              f"'%Y-%m-%d %H:%M:%S') AS _fivetran_synced FROM ({current}) WHERE hash(id) % 10 = 0")
    rows = {"account": write_query(con, f"SELECT * FROM ({current} UNION ALL {former}) ORDER BY id, _fivetran_synced",
                                   out / "salesforce" / "account" / "account.csv")}
    rows["contact"] = write_query(con, (
        f"SELECT user_id AS id, account_id, email, role AS title, is_internal AS is_internal_c, "
        f"{fivetran_time('created_at')} AS created_date, 'false' AS is_deleted, 'true' AS _fivetran_active, "
        f"{fivetran_time('created_at')} AS _fivetran_synced FROM {contacts} ORDER BY id"),
        out / "salesforce" / "contact" / "contact.csv")
    return rows


def write_opportunities(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    """Each subscription period as a won opportunity (a trial as an open one of type Trial) with its contract
    dates and term in custom fields and one line item: its plan's product, its seats. One more opportunity is
    of an account the CRM lacks: landing quarantines it, as it would a real one."""
    root = out / "salesforce"
    contract_table(con, canonical)
    opportunities = (
        f"SELECT 'opp_' || period_id AS id, account_id, plan || ' for ' || account_id AS name, "
        "CASE WHEN is_trial THEN 'Trial' WHEN is_first THEN 'New Business' ELSE 'Existing Business' END AS type, "
        "CASE WHEN is_trial THEN 'Trial' ELSE 'Closed Won' END AS stage_name, NOT is_trial AS is_won, NOT is_trial AS is_closed, "
        f"start_time AS close_date, CASE WHEN NOT is_trial THEN amount END AS amount, currency AS currency_iso_code, "
        f"period_start AS contract_start_date_c, contract_end AS contract_end_date_c, {CONTRACT_MONTHS} AS contract_term_c, renewal_date AS renewal_date_c, "
        f"false AS is_deleted, true AS _fivetran_active, start_time AS _fivetran_synced FROM contracts "
        "UNION ALL SELECT 'opp_unknown_account', 'acc_not_in_crm', 'Lost account', 'New Business', 'Closed Won', true, true, "
        "'2026-01-05 00:00:00', 1200, 'USD', NULL, NULL, NULL, NULL, false, true, '2026-01-05 00:00:00'")
    rows = {"opportunity": write_query(con, f"SELECT * FROM ({opportunities}) ORDER BY id",
                                       root / "opportunity" / "opportunity.csv")}
    rows["product_2"] = write_query(con, (
        "SELECT DISTINCT 'prod_' || plan AS id, plan AS name, false AS is_deleted, true AS _fivetran_active FROM contracts ORDER BY id"),
        root / "product_2" / "product_2.csv")
    rows["opportunity_line_item"] = write_query(con, (
        "SELECT 'li_' || period_id AS id, 'opp_' || period_id AS opportunity_id, 'prod_' || plan AS product_2_id, seats AS quantity, "
        f"CASE WHEN NOT is_trial THEN amount END AS total_price, false AS is_deleted, true AS _fivetran_active, start_time AS _fivetran_synced "
        "FROM contracts ORDER BY id"), root / "opportunity_line_item" / "opportunity_line_item.csv")
    return rows
