"""One refresh of a pipeline home at a time.

The nightly schedule, the new-file sensor and a person at the command line can all start refreshes.
Runs launched by Dagster queue behind each other (the instance's run queue allows one at a time,
dagster.yaml); a command-line run takes the home's refresh lock and waits for any run in progress;
the schedule and the sensor request nothing while a refresh is in progress. Nobody meets DuckDB's raw
lock error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import dagster as dg
from filelock import FileLock, Timeout

from .settings import Settings

LOCK = ".refresh.lock"
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
POLL_SECONDS = 2.0
CLI_TAG = "prodops/launched_by"  # on runs started from the command line, which the refresh lock covers
CLI_HOLDER = "a refresh started from the command line"


class RefreshInProgress(RuntimeError):
    """Another refresh of this home is running; the message says which."""


def run_in_progress(instance: dg.DagsterInstance, launched_by_dagster: bool = False) -> str | None:
    """'a refresh started at T (run R)' for a run of this instance in progress, if any. A command-line
    run killed mid-way stays 'started' in the instance: with `launched_by_dagster`, only the runs the
    schedule, the sensor or the UI launched count (the daemon's run monitoring ends those that die)."""
    runs = [r for r in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS), limit=20)
            if not (launched_by_dagster and CLI_TAG in r.tags)]
    if not runs:
        return None
    record = instance.get_run_record_by_id(runs[0].run_id)
    started = record.start_time if record and record.start_time else None
    when = datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if started else "just now"
    return f"a refresh started at {when} (run {runs[0].run_id[:8]})"


def lock_holder(settings: Settings) -> str | None:
    """What holds the home's refresh lock, if anything does (a command-line refresh)."""
    lock = FileLock(settings.home / LOCK)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return CLI_HOLDER
    lock.release()
    return None


def refresh_in_progress(settings: Settings, instance: dg.DagsterInstance) -> str | None:
    holder = lock_holder(settings)
    return (run_in_progress(instance) or holder) if holder else run_in_progress(instance, launched_by_dagster=True)


@contextmanager
def exclusive_refresh(settings: Settings, instance: dg.DagsterInstance, wait: bool,
                      on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the home's refresh lock and wait for any Dagster run in progress; without `wait`, raise
    RefreshInProgress instead of waiting."""
    settings.home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.home / LOCK)
    told = False
    try:
        lock.acquire(timeout=0)
    except Timeout:
        busy = run_in_progress(instance) or CLI_HOLDER
        if not wait:
            raise RefreshInProgress(f"{busy} is in progress") from None
        on_wait(f"{busy} is in progress; waiting")
        told = True
        lock.acquire()
    try:
        while (busy := run_in_progress(instance, launched_by_dagster=True)) is not None:
            if not wait:
                raise RefreshInProgress(f"{busy} is in progress")
            if not told:
                on_wait(f"{busy} is in progress; waiting")
                told = True
            time.sleep(POLL_SECONDS)
        yield
    finally:
        lock.release()
