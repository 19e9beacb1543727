"""Which rows of a mart the audit must validate: those the last published build does not hold.

Every expectation of a mart suite judges one row at a time (grain, the one whole-table rule, is dbt's test),
so a row equal to one of the last published build, which passed the same suite before it was published,
passes again. The audit therefore validates the rows that are new or changed since that build, and the whole
mart when that cannot be relied on: no published build, a suite or an identity that changed since (its
fingerprint, recorded in build.json by the publish), columns that changed, or a database file that is not the
one the publish wrote (its size and time of change, recorded with it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..ingest.raw_zone import read_json
from ..publish.build import BUILD_MANIFEST, CURRENT, DATABASE, database_file
from ..settings import Settings
from .gx_project import context
from .identities import identity_select
from .suites import expectation_signature

ALIAS = "audited"


@dataclass(frozen=True)
class AuditedBuild:
    build_id: str
    database: Path
    suites: dict[str, str]  # mart -> fingerprint of the suite that audited it


def suite_fingerprint(settings: Settings, mart: str) -> str:
    """What the audit of `mart` checks: its suite's expectations (without GX's ids) and its identities."""
    expectations = sorted(expectation_signature(e) for e in context(settings).suites.get(mart).expectations)
    return hashlib.sha256(json.dumps([expectations, identity_select(mart)]).encode()).hexdigest()[:16]


def last_audited_build(settings: Settings) -> AuditedBuild | None:
    """The build in force, read through one resolution of the `current` link, when its database is as published."""
    current = settings.published / CURRENT
    if not current.exists():
        return None
    folder = current.resolve()
    build = read_json(folder / BUILD_MANIFEST) or {}
    database = folder / DATABASE
    if not build.get("audit_suites") or not database.exists() or build.get("database_file") != database_file(database):
        return None
    return AuditedBuild(build["build_id"], database, build["audit_suites"])


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, mart: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM information_schema.columns "
                       "WHERE table_catalog = ? AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                       [catalog, mart]).fetchall()


def rows_to_audit(settings: Settings, con: duckdb.DuckDBPyConnection, mart: str,
                  audited: AuditedBuild | None) -> tuple[str, bool]:
    """The relation of the mart's rows to validate, read through `con` (a fresh connection to the warehouse), and
    whether it is only the rows new or changed since `audited` (which is then attached to `con`)."""
    whole = f'main."{mart}"'
    if audited is None or audited.suites.get(mart) != suite_fingerprint(settings, mart):
        return whole, False
    con.execute(f"ATTACH '{audited.database}' AS {ALIAS} (READ_ONLY)")
    warehouse = con.execute("SELECT current_database()").fetchone()[0]
    if _columns(con, warehouse, mart) != _columns(con, ALIAS, mart):
        return whole, False
    return f'(SELECT * FROM {whole} EXCEPT SELECT * FROM {ALIAS}.main."{mart}")', True


def audit_fingerprints(settings: Settings, marts: list[str]) -> dict[str, str]:
    return {mart: suite_fingerprint(settings, mart) for mart in marts}

