"""Folders that grow at every run (dbt's run targets, the run logs) keep only their newest entries."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path


def keep_newest(paths: Iterable[Path], keep: int) -> list[Path]:
    """Delete all but the `keep` most recently modified of `paths` (files or folders); returns those deleted."""
    ordered = sorted(paths, key=lambda p: p.stat().st_mtime)
    removed = ordered[:-keep] if keep else ordered
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed
