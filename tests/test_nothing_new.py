"""A refresh with nothing new since the published build does nothing but say so; anything new runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import dagster as dg

from prodops_pipeline.nothing_new import unchanged_build
from prodops_pipeline.publish.build import last_build
from prodops_pipeline.settings import Settings


def _runs(settings: Settings) -> int:
    os.environ["DAGSTER_HOME"] = str(settings.home / "dagster")
    return len(dg.DagsterInstance.get().get_runs())


def test_a_run_with_nothing_new_says_so_and_starts_nothing_and_anything_new_runs(published, monkeypatch):
    """The published build remembered its inputs: the same sources, settings and code again is "nothing new",
    said by `prodops run` without a Dagster run, a dbt or GX step, a log or a publish (its time is a bench figure,
    never asserted). A re-exported file, a file removed or a changed setting is new."""
    settings, sources = published
    build = last_build(settings)
    runs, logs = _runs(settings), sorted((settings.home / "logs").glob("*"))
    warehouse = settings.warehouse.stat().st_mtime_ns
    said = subprocess.run([sys.executable, "-m", "prodops_pipeline.cli", "run"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "300"})
    assert said.returncode == 0, said.stdout + said.stderr
    assert f"Nothing new since build {build['build_id']}" in " ".join(said.stdout.split())
    assert "Refreshing" not in said.stdout and "Traceback" not in said.stdout + said.stderr
    assert _runs(settings) == runs and sorted((settings.home / "logs").glob("*")) == logs
    assert last_build(settings) == build and settings.warehouse.stat().st_mtime_ns == warehouse

    day = max((sources / "usage_events").glob("*.csv"))
    stat = day.stat()
    os.utime(day, ns=(stat.st_atime_ns, time.time_ns()))  # re-exported, the same bytes
    assert unchanged_build(settings) is None
    os.utime(day, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert unchanged_build(settings) == build
    moved = day.rename(day.with_name("_" + day.name))  # a leading underscore: not a source file
    assert unchanged_build(settings) is None
    moved.rename(day)
    monkeypatch.setenv("PRODOPS_QUARANTINE_MAX_RATE", "0.5")
    assert unchanged_build(Settings.from_env()) is None
    monkeypatch.setenv("PRODOPS_WAREHOUSE_URL", "postgresql://fivetran@warehouse/analytics")
    monkeypatch.delenv("PRODOPS_QUARANTINE_MAX_RATE")
    assert unchanged_build(Settings.from_env()) is None  # a warehouse cannot be checked without reading it
    monkeypatch.delenv("PRODOPS_WAREHOUSE_URL")
    assert unchanged_build(Settings.from_env()) == build
