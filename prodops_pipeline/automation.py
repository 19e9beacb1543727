"""Unattended operation: the nightly schedule, the new-file sensor and freshness policies.

Both start one run for today's daily partition, which lands every file not landed yet and rebuilds
from the earliest day that received rows: after downtime one run catches up all the missed nights.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import dagster as dg

from .ingest.pending import pending_files
from .partitions import latest_partition
from .refresh_lock import lock_holder, refresh_in_progress
from .resources import PipelineSettings
from .settings import Settings


def nightly_schedule(job, settings: Settings) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nightly_refresh",
        job=job,
        cron_schedule=settings.schedule,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Land new source files, rebuild the affected days, audit and publish (PRODOPS_SCHEDULE, "
                    "in PRODOPS_TIMEZONE).",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        # a run Dagster launched queues behind the one in progress (dagster.yaml); a command-line one
        # holds the home's lock, and lands and builds whatever tonight's run would
        busy = lock_holder(settings)
        if busy:
            return dg.SkipReason(f"{busy} is in progress")
        return dg.RunRequest(partition_key=latest_partition())

    return _schedule


def new_files_sensor(job, settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(name="new_source_files", job=job, minimum_interval_seconds=settings.sensor_seconds,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Starts a refresh when source files arrive that are not landed yet.")
    def _sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings):
        config = settings.get()
        pending = pending_files(config)
        if not pending:
            return dg.SkipReason("no new source files")
        busy = refresh_in_progress(config, context.instance)
        if busy:  # asked again at the next tick, when the files may still be new
            return dg.SkipReason(f"{busy} is in progress; the new files wait for the next tick")
        listing = "\n".join(f"{t}/{f}" for t in sorted(pending) for f in pending[t])
        count = sum(len(v) for v in pending.values())
        # the run key names this set of files: the same arrivals never start two runs
        return dg.RunRequest(run_key=hashlib.sha1(listing.encode()).hexdigest(),
                             partition_key=latest_partition(), tags={"prodops/new_files": str(count)})

    return _sensor


def freshness_policy() -> dg.FreshnessPolicy:
    hours = Settings.from_env().freshness_max_age_hours
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=hours), warn_window=timedelta(hours=hours / 2))


def with_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Raw tables and what analysts read must be refreshed within the window; staging and
    intermediate models follow from them."""
    watched = (spec.key.path[0] == "raw" or spec.group_name in {"adoption", "nps", "retention", "support", "health", "publish"}) \
        and spec.key != dg.AssetKey("weekly_digest")  # weekly, on its own schedule
    return dg.apply_freshness_policy(spec, freshness_policy()) if watched else spec
