"""Read a vendor system's tables from the warehouse Fivetran or Airbyte lands them in (PostgreSQL).

Each run reads only the rows synced since the last one (by `_fivetran_synced` or `_airbyte_extracted_at`)
through DuckDB's postgres extension, and keeps them as files under `$PRODOPS_HOME/warehouse_extracts/
<system>/<table>/`, which landing then reads exactly as it reads files: same contract, quarantine and
manifests. A table whose rows change in place (it has a key, Fivetran's history columns or `_fivetran_id`)
is kept as one current file, the changed rows replacing their earlier versions; an append-only table
(no key: comments, field history) gets one file per run with the new rows.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from ..settings import Settings
from .contract import Table
from .validation import lit, q

SYNC_COLUMNS = ("_fivetran_synced", "_airbyte_extracted_at")
CURRENT = "current.parquet"
STATE = "_extract.json"


class WarehouseError(RuntimeError):
    """The warehouse cannot be read as configured (no extension, no connection, no such table)."""


@dataclass
class Extract:
    table: str
    source: str  # schema.table in the warehouse
    sync_column: str | None
    since: str | None  # the sync time read up to before this run
    until: str | None  # ... and after it
    rows_read: int


def postgres_extension() -> str:
    """The postgres extension's file, from its PyPI package: nothing is downloaded at run time."""
    import duckdb_extension_postgres_scanner as package

    version = duckdb.__version__
    path = Path(package.__file__).parent / "extensions" / f"v{version}" / "postgres_scanner.duckdb_extension"
    if not path.exists():
        raise WarehouseError(f"the postgres extension for DuckDB {version} is not installed ({path}); install "
                             f"duckdb-extension-postgres-scanner=={version}")
    return str(path)


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config=settings.duckdb_config())
    con.execute(f"LOAD {lit(postgres_extension())}")
    url = settings.warehouse_url.get_secret_value()
    try:
        con.execute(f"ATTACH {lit(url)} AS wh (TYPE postgres, READ_ONLY)")
    except duckdb.Error as exc:
        # the driver's message repeats the URL, password included: say it without them
        said = str(exc).splitlines()[0].replace(url, "PRODOPS_WAREHOUSE_URL")
        password = urlsplit(url).password
        if password:
            said = said.replace(password, "***")
        raise WarehouseError(f"cannot connect to PRODOPS_WAREHOUSE_URL: {said}") from None
    return con


def _merge_key(table: Table, columns: list[str]) -> list[str] | None:
    """The columns that identify a row across syncs, or None for an append-only table."""
    if "_fivetran_id" in columns:
        return ["_fivetran_id"]
    if "_fivetran_start" in columns:
        return ["id", "_fivetran_start"] if "id" in columns else None
    return [table.key] if table.key else None


def extract_table(settings: Settings, table: Table, con: duckdb.DuckDBPyConnection) -> Extract | None:
    schema = settings.warehouse_schemas.get(table.system, table.system)
    vendor_table = table.folder.split("/", 1)[1]
    source = f"wh.{q(schema)}.{q(vendor_table)}"
    try:
        columns = [r[0] for r in con.sql(f"DESCRIBE {source}").fetchall()]
    except duckdb.Error:
        if table.optional:
            return None
        raise WarehouseError(f"the warehouse has no table {schema}.{vendor_table} (required {table.system} table "
                             f"{vendor_table!r}); set PRODOPS_WAREHOUSE_SCHEMAS if {table.system} lands in "
                             "another schema") from None
    folder = settings.warehouse_extracts / table.folder
    folder.mkdir(parents=True, exist_ok=True)
    state_path = folder / STATE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    sync = next((c for c in SYNC_COLUMNS if c in columns), None)
    since = state.get("until") if sync else None
    where = f" WHERE {q(sync)} > CAST({lit(since)} AS TIMESTAMP)" if since else ""
    # every value as text: landing parses it by the contract, as it does a CSV's
    select = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE delta AS SELECT {select} FROM {source}{where}")
    read = con.sql("SELECT count(*) FROM delta").fetchone()[0]
    until = con.sql(f"SELECT CAST(max(CAST({q(sync)} AS TIMESTAMP)) AS VARCHAR) FROM delta").fetchone()[0] if sync and read else since
    key = _merge_key(table, columns)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    if read or not sync:
        # no sync column: the whole table, read again; no key: the new rows, kept beside the earlier ones
        target = folder / (f"{stamp}.parquet" if sync and key is None else CURRENT)
        relation = "delta"
        if sync and key is not None and target.exists():
            match = " AND ".join(f"kept.{q(k)} IS NOT DISTINCT FROM d.{q(k)}" for k in key)
            relation = (f"(SELECT * FROM read_parquet({lit(str(target))}) AS kept WHERE NOT EXISTS "
                        f"(SELECT 1 FROM delta AS d WHERE {match}) UNION ALL BY NAME SELECT * FROM delta)")
        staged = folder / f".{stamp}.tmp"
        con.execute(f"COPY (SELECT * FROM {relation}) TO {lit(str(staged))} (FORMAT parquet)")
        os.replace(staged, target)
    extract = Extract(table.name, f"{schema}.{vendor_table}", sync, since, until, read)
    state_path.write_text(json.dumps({"until": until, "last": asdict(extract)}, indent=1))
    return extract


def extract(settings: Settings, table: Table) -> Extract | None:
    """Bring the table's rows synced since the last run from the warehouse into its extract folder."""
    with connect(settings) as con:
        return extract_table(settings, table, con)
