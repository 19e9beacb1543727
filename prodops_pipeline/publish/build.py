"""Publish audited marts: written aside as one build folder, then swapped in whole by one atomic rename,
so analysts only ever see a complete build.

    published/builds/<id>/                     one build: analytics.duckdb, build.json, parquet/<mart>.parquet
    published/current -> builds/<id>           the build in force (a symlink replaced by one rename)
    published/analytics.duckdb -> current/...  the analyst database (fixed links into the current build)
    published/parquet -> current/parquet
    published/build.json -> current/build.json

The database, build.json and the Parquet files therefore always name the same build, by construction.
A reader holding the old database open keeps reading it (the previous build stays on disk); a run
killed at any moment leaves the last complete build in place and only a `builds/.<id>.partial`
folder or a temporary link behind, which the next publish removes.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
from filelock import FileLock

from ..ingest.raw_zone import read_json, write_json_atomically
from ..settings import Settings

BUILD_MANIFEST = "build.json"
DATABASE = "analytics.duckdb"
CURRENT = "current"
KEEP_BUILDS = 2
# the fixed entry points of published/, each a link into the current build
ENTRY_POINTS = (DATABASE, "parquet", BUILD_MANIFEST)


def last_build(settings: Settings) -> dict[str, Any] | None:
    return read_json(settings.published / BUILD_MANIFEST)


def database_file(path: Path) -> dict[str, int]:
    """A published database file's size and time of change: a file changed after its publish differs."""
    stat = path.stat()
    return {"bytes": stat.st_size, "modified_ns": stat.st_mtime_ns}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _replace_with_link(path: Path, target: str) -> None:
    """Make `path` a symlink to `target` by one rename (whatever stood there before)."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    staged = path.with_name(f".{path.name}-{uuid.uuid4().hex[:6]}.tmp")
    staged.symlink_to(target)
    if path.is_dir() and not path.is_symlink():  # a folder left by an older layout
        shutil.rmtree(path)
    os.replace(staged, path)


def publish(settings: Settings, marts: list[str], raw_rows: dict[str, int], high_water_mark: str | None,
            currency: str | None = None, audit_suites: dict[str, str] | None = None) -> dict[str, Any]:
    """Publish the warehouse's `marts` as a new build; `audit_suites` are the fingerprints of the suites that
    audited them, by which the next audit knows which rows it need not validate again (audit/audited_rows.py)."""
    settings.published.mkdir(parents=True, exist_ok=True)
    with FileLock(settings.published / ".lock"):
        builds = settings.published / "builds"
        builds.mkdir(exist_ok=True)
        _remove_leftovers(settings.published)
        built_at = datetime.now(timezone.utc)
        build_id = built_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        partial = builds / f".{build_id}.partial"
        (partial / "parquet").mkdir(parents=True)
        rows: dict[str, int] = {}
        with duckdb.connect(str(partial / DATABASE), config=settings.duckdb_config()) as con:
            con.execute(f"ATTACH '{settings.warehouse}' AS warehouse (READ_ONLY)")
            for mart in marts:
                # a stable row order makes the same build publish the same content
                con.execute(f"CREATE TABLE {_quote(mart)} AS SELECT * FROM warehouse.main.{_quote(mart)} ORDER BY ALL")
                con.execute(f"COPY {_quote(mart)} TO '{partial / 'parquet' / (mart + '.parquet')}' (FORMAT parquet)")
                rows[mart] = con.sql(f"SELECT count(*) FROM {_quote(mart)}").fetchone()[0]
            con.execute("DETACH warehouse")
            info = {"build_id": build_id, "built_at": built_at.isoformat(), "high_water_mark": high_water_mark,
                    "currency": currency, "mart_rows": rows, "raw_rows": raw_rows}
            con.execute("CREATE TABLE _build AS SELECT * FROM (VALUES (?, ?, ?, ?)) AS t (build_id, built_at, high_water_mark, build_json)",
                        [build_id, built_at.replace(tzinfo=None), high_water_mark, json.dumps(info, sort_keys=True)])
            con.execute("CHECKPOINT")
        _fsync(partial / DATABASE)
        # what the next audit relies on: this build's suites and its database file as written here
        info |= {"audit_suites": audit_suites or {}, "database_file": database_file(partial / DATABASE)}
        write_json_atomically(partial / BUILD_MANIFEST, info)
        os.replace(partial, builds / build_id)  # complete: from here on it may become current
        _replace_with_link(settings.published / CURRENT, f"builds/{build_id}")  # the one swap analysts see
        for entry in ENTRY_POINTS:
            _replace_with_link(settings.published / entry, f"{CURRENT}/{entry}")
        _prune_builds(builds, keep=build_id)
        return info


def _remove_leftovers(folder: Path) -> None:
    """What a publish killed before its swap left: a partial build folder, temporary links and files."""
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    for path in folder.glob(".*.tmp.wal"):
        path.unlink(missing_ok=True)
    for path in (folder / "builds").glob(".*.partial"):
        shutil.rmtree(path, ignore_errors=True)


def _prune_builds(builds: Path, keep: str) -> None:
    """Keep the current build and the one before it (a reader may still hold its database open)."""
    older = sorted((p for p in builds.iterdir() if p.name != keep and not p.name.startswith(".")), key=lambda p: p.name)
    for path in older[: max(0, len(older) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(path, ignore_errors=True)
