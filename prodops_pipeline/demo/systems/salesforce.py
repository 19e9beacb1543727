"""Our accounts and contacts as Fivetran lands Salesforce's Account and Contact, in history mode:
every tenth account also has an earlier version (its former name), no longer active."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import fivetran_time, write_query


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
