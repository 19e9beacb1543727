"""A refresh with nothing new does nothing but check.

A published build is a function of its inputs: the source files, the settings and the code (models,
expectations, the pipeline itself). A whole refresh that published remembers a digest of the inputs it
started from; the next `prodops run` whose inputs have the same digest says so and stops, without
starting Dagster, dbt, Great Expectations or a publish. Anything else (a source file added, changed or
removed, however its size or time changed; any setting but where the home and sources live; a rules,
mapping or code file) makes a different digest, and the run goes ahead. A run that starts forgets the
digest, so a run that then fails leaves the next one to run. A warehouse source cannot be checked without
reading it: with PRODOPS_WAREHOUSE_URL set, every run goes ahead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .ingest.raw_zone import read_json, write_json_atomically
from .settings import CHECKOUT_ROOT, Settings

CODE = ("prodops_pipeline/**/*.py", "dbt_project/dbt_project.yml", "dbt_project/models/**/*", "dbt_project/macros/**/*",
        "dbt_project/tests/**/*", "expectations/gx/expectations/*.json", "requirements.lock")
PLACES = {"home", "sources"}  # where things live, not what they hold: a moved home is the same home


def _record(settings: Settings) -> Path:
    return settings.home / "refresh_inputs.json"


def _stat(path: Path, root: Path) -> list:
    stat = path.stat()
    return [path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns]


def inputs_digest(settings: Settings) -> str:
    from .ingest.landing import SourceError, source_files
    from .ingest.systems import selected_tables

    sources: dict[str, Any] = {}
    for table in selected_tables(settings.kind_systems):
        root = settings.source_root(table.system)
        try:
            sources[table.name] = [_stat(path, root) for path in source_files(settings, table)]
        except SourceError as error:  # a missing folder: the run itself says so
            sources[table.name] = str(error)
    files = {name: _stat(path, path.parent) for name in ("health_rules", "account_map")
             if (path := getattr(settings, name)) and path.is_file()}
    code = hashlib.sha256()
    for pattern in CODE:
        for path in sorted(CHECKOUT_ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                code.update(path.relative_to(CHECKOUT_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    payload = {"settings": settings.model_dump(mode="json", exclude=PLACES), "files": files,
               "sources": sources, "code": code.hexdigest()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def unchanged_build(settings: Settings) -> dict[str, Any] | None:
    """The published build, where the inputs are those it was built from; else None."""
    from .publish.build import last_build

    if settings.warehouse_url:
        return None
    record, build = read_json(_record(settings)), last_build(settings)
    if not record or not build or record.get("build_id") != build.get("build_id"):
        return None
    return build if record.get("inputs") == inputs_digest(settings) else None


def forget(settings: Settings) -> None:
    _record(settings).unlink(missing_ok=True)


def remember(settings: Settings, digest: str) -> None:
    """After a whole refresh that published: the inputs it started from (taken before it began, so that a
    file changed during the run makes the next one run)."""
    from .publish.build import last_build

    build = last_build(settings)
    if build:
        write_json_atomically(_record(settings), {"inputs": digest, "build_id": build["build_id"]})
