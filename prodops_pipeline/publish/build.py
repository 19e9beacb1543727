"""Publish audited marts: written aside, then swapped in whole, so analysts only ever see a complete build.

    published/analytics.duckdb       the analyst database (replaced by one atomic rename)
    published/parquet -> builds/<id>  one Parquet file per mart (replaced by one atomic symlink swap)
    published/build.json              what the current build holds and the raw volumes it was built from

A reader holding the old database open keeps reading it (the rename leaves the old file intact);
a run killed at any moment leaves the last complete build in place and only temporary files behind,
which the next publish removes.
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

from ..ingest.raw_zone import write_json_atomically
from ..settings import Settings

BUILD_MANIFEST = "build.json"
KEEP_BUILDS = 2


def last_build(settings: Settings) -> dict[str, Any] | None:
    path = settings.published / BUILD_MANIFEST
    return json.loads(path.read_text()) if path.exists() else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def publish(settings: Settings, marts: list[str], raw_rows: dict[str, int], high_water_mark: str | None) -> dict[str, Any]:
    settings.published.mkdir(parents=True, exist_ok=True)
    with FileLock(settings.published / ".lock"):
        _remove_leftovers(settings.published)
        built_at = datetime.now(timezone.utc)
        build_id = built_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        builds = settings.published / "builds"
        parquet_dir = builds / build_id
        parquet_dir.mkdir(parents=True)
        staged_db = settings.published / f".analytics-{build_id}.duckdb.tmp"
        rows: dict[str, int] = {}
        with duckdb.connect(str(staged_db), config=settings.duckdb_config()) as con:
            con.execute(f"ATTACH '{settings.warehouse}' AS warehouse (READ_ONLY)")
            for mart in marts:
                # a stable row order makes the same build publish the same content
                con.execute(f"CREATE TABLE {_quote(mart)} AS SELECT * FROM warehouse.main.{_quote(mart)} ORDER BY ALL")
                con.execute(f"COPY {_quote(mart)} TO '{parquet_dir / (mart + '.parquet')}' (FORMAT parquet)")
                rows[mart] = con.sql(f"SELECT count(*) FROM {_quote(mart)}").fetchone()[0]
            con.execute("DETACH warehouse")
            info = {"build_id": build_id, "built_at": built_at.isoformat(), "high_water_mark": high_water_mark,
                    "mart_rows": rows, "raw_rows": raw_rows}
            con.execute("CREATE TABLE _build AS SELECT * FROM (VALUES (?, ?, ?, ?)) AS t (build_id, built_at, high_water_mark, build_json)",
                        [build_id, built_at.replace(tzinfo=None), high_water_mark, json.dumps(info, sort_keys=True)])
            con.execute("CHECKPOINT")
        _fsync(staged_db)
        os.replace(staged_db, settings.analyst_database)
        link = settings.published / "parquet"
        staged_link = settings.published / f".parquet-{build_id}.tmp"
        staged_link.symlink_to(Path("builds") / build_id)
        os.replace(staged_link, link)
        write_json_atomically(settings.published / BUILD_MANIFEST, info)
        _prune_builds(builds, keep=build_id)
        return info


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a publish that was killed before its swap."""
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    for path in folder.glob(".*.tmp.wal"):
        path.unlink(missing_ok=True)


def _prune_builds(builds: Path, keep: str) -> None:
    current = builds.parent / "parquet"
    in_use = {os.path.basename(os.readlink(current))} if current.is_symlink() else set()
    older = sorted((p for p in builds.iterdir() if p.name not in in_use | {keep}), key=lambda p: p.name)
    for path in older[: max(0, len(older) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(path, ignore_errors=True)
