"""dbt's target folder between runs.

dagster-dbt gives every dbt command its own folder, target/<op>-<run>-<id>/ (about 8 MB: compiled
SQL, logs, a copy of the manifest), and seeds it with target/partial_parse.msgpack so that dbt need
not parse the whole project again. Left alone, those folders pile up at every run, and the seed keeps
the environment of the last `dbt parse`: a run whose profile (the warehouse path, the memory limit)
differs from it parses everything again, every night.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..housekeeping import keep_newest

PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_RUN_TARGETS = 10  # the latest commands' compiled SQL and logs, for looking into a failure


def keep_partial_parse(run_target: Path, target_root: Path) -> None:
    """Make a finished command's partial-parse state the seed of the next one (dbt checks every
    file's hash against it, so a state from an older version of the project is only slower, never wrong)."""
    state = run_target / PARTIAL_PARSE
    if not state.exists():
        return
    staged = target_root / f".{PARTIAL_PARSE}.{os.getpid()}.tmp"
    shutil.copyfile(state, staged)
    os.replace(staged, target_root / PARTIAL_PARSE)


def prune_run_targets(target_root: Path, prefix: str, keep: int = KEEP_RUN_TARGETS) -> list[Path]:
    """Delete all but the `keep` newest run folders starting with `prefix`; returns those deleted."""
    return keep_newest((p for p in target_root.glob(f"{prefix}-*") if p.is_dir()), keep)
