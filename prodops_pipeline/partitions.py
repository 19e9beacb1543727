"""Daily partitions in the reporting time zone, for the event-like source tables and the facts built
from them.

A partition of a source table is its files of one day (the date in the file's path; a file without
one belongs to every run); a partition of a fact is one reporting day. The nightly run, the sensor
and `prodops run` materialize today's partition, which lands every file not landed yet, whatever its
day, and rebuilds the facts from the earliest day that received rows (plus the late-data lookback):
one run catches up any number of missed nights. A backfill of past partitions (the UI, or `prodops
run --days`) lands those days' changed files and rebuilds the facts from its first day, in one run.

Dagster marks the partitions a run targets as materialized; each run also reports the other days it
landed or rebuilt (report_days), so that the partition view shows every day that holds data.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, timedelta

import dagster as dg

from .settings import Settings

DAY_IN_PATH = re.compile(r"(\d{4}-\d{2}-\d{2})")
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"

# a single-run backfill is what makes a backfill of many days one run; Dagster still labels it beta
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


def daily_partitions() -> dg.DailyPartitionsDefinition:
    settings = Settings.from_env()
    # end_offset=1: today is a partition too, so files arriving during the day can land
    return dg.DailyPartitionsDefinition(start_date=settings.partitions_start, timezone=settings.timezone, end_offset=1)


def file_day(relative_path: str) -> date | None:
    match = DAY_IN_PATH.search(relative_path)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def partition_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """The first and last day of the run's partition, or range of partitions."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def backfill_window(context: dg.AssetExecutionContext) -> tuple[date, date] | None:
    """The days a backfill re-processes: the run's partitions when they end before today's. None for
    a run reaching today's partition, which lands every pending file, whatever its day, and rebuilds
    the facts from the earliest day that received rows."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    first, last = partition_days(context)
    return None if last.isoformat() >= latest_partition() else (first, last)


def in_window(day: date | None, window: tuple[date, date] | None) -> bool:
    return window is None or day is None or window[0] <= day <= window[1]


def latest_partition() -> str:
    """Today's partition, in the reporting time zone."""
    return daily_partitions().get_last_partition_key()


def run_partition_keys(context: dg.AssetExecutionContext) -> set[str]:
    """The partitions the run targets, which Dagster marks materialized itself."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return set()
    first, last = partition_days(context)
    return {(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)}


def report_days(context: dg.AssetExecutionContext, key: dg.AssetKey, days: dict[date, dict], changed: set[date]) -> None:
    """Record as materialized, beyond the run's own partitions, the days of `key` that hold data (with
    their metadata): those this run `changed`, and those no run has recorded yet (a first build, or a
    home from before these records). One event per day, as Dagster keeps the partition status; days
    outside the partitions (before PRODOPS_PARTITIONS_START, after today) are left out."""
    partitions = daily_partitions()
    first, last = partitions.get_first_partition_key(), partitions.get_last_partition_key()
    skip = run_partition_keys(context)
    recorded = context.instance.get_materialized_partitions(key)
    for day, metadata in sorted(days.items()):
        partition = day.isoformat()
        if (first <= partition <= last and partition not in skip
                and (day in changed or partition not in recorded)):
            context.log_event(dg.AssetMaterialization(asset_key=key, partition=partition, metadata=metadata))


def range_tags(partition_range: tuple[str, str]) -> dict[str, str]:
    return {RANGE_START: partition_range[0], RANGE_END: partition_range[1]}
