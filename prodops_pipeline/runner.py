"""Run assets in-process against the pipeline's Dagster instance, so CLI runs show in the UI too."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from .housekeeping import keep_newest
from .refresh_lock import CLI_TAG, exclusive_refresh
from .settings import Settings

WRITTEN_BY_PRODOPS = "# Written by prodops on first use. Runs, event logs and schedules live beside this file.\n"
STORAGE_YAML = """# Dagster's SQLite storage, its database engines kept open (dagster_storage.py)
storage:
  custom:
    module: prodops_pipeline.dagster_storage
    class: KeptEngineSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
"""
DAGSTER_YAML = WRITTEN_BY_PRODOPS + STORAGE_YAML + """telemetry:
  enabled: false
# one refresh at a time: the nightly schedule and the new-file sensor queue behind each other
run_queue:
  max_concurrent_runs: 1
# a run whose process died is marked failed, so that it does not hold back the next refresh
run_monitoring:
  enabled: true
"""
KEEP_RUN_LOGS = 60  # two months of nightly runs


def dagster_instance(settings: Settings) -> dg.DagsterInstance:
    """The instance under PRODOPS_HOME/dagster, unless DAGSTER_HOME points elsewhere."""
    home = os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    os.makedirs(home, exist_ok=True)
    config = Path(home) / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    elif (text := config.read_text()).startswith(WRITTEN_BY_PRODOPS) and "\nstorage:" not in text:
        # written by an earlier prodops: the same files, stored through kept engines from now on
        config.write_text(WRITTEN_BY_PRODOPS + STORAGE_YAML + text.removeprefix(WRITTEN_BY_PRODOPS))
    return dg.DagsterInstance.get()


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    failures: list[str] = field(default_factory=list)  # one readable line per failed step or check
    log_path: Path | None = None
    warnings: list[str] = field(default_factory=list)  # failed checks of WARN severity: reported, not blocking
    skipped: dict[str, str] = field(default_factory=dict)  # step key -> why it did not run
    unchanged: dict | None = None  # the published build whose inputs are today's, found after waiting: not run


def _selects_partitioned_assets(defs: dg.Definitions, selection) -> bool:
    """Whether the selection holds a partitioned asset: a run of those takes a partition, and a run of
    unpartitioned assets (or of checks alone) must not."""
    graph = defs.resolve_asset_graph()
    return any(graph.get(key).partitions_def is not None
               for key in dg.AssetSelection.from_coercible(selection).resolve(graph))


def run_assets(settings: Settings, selection=None, full_refresh: bool = False,
               partition_range: tuple[str, str] | None = None, wait: bool = True,
               on_wait: Callable[[str], None] = lambda message: None, unless_unchanged: bool = False) -> RunOutcome:
    """Materialize the selected assets of the code location (by default what the nightly refresh does) in-process: the
    partitioned ones for today's partition, or for partition_range (first, last day) to backfill. One
    refresh of a home at a time: behind another in progress, wait (telling `on_wait`), or without
    `wait` raise RefreshInProgress. A whole refresh that succeeds remembers its inputs (nothing_new.py);
    with `unless_unchanged`, a whole refresh whose inputs the published build was made from, once it
    holds the home (the refresh it waited for may have built them), does not run."""
    from .nothing_new import forget, inputs_digest, remember, unchanged_build

    instance = dagster_instance(settings)
    with exclusive_refresh(settings, instance, wait, on_wait):
        whole = selection is None and partition_range is None
        if whole and unless_unchanged and not full_refresh and (build := unchanged_build(settings)):
            return RunOutcome(True, run_id="", unchanged=build)
        digest = inputs_digest(settings) if whole else None  # before it begins: what changes meanwhile is new next time
        forget(settings)
        outcome = _run_assets(settings, instance, selection, full_refresh, partition_range)
        if digest and outcome.success:
            remember(settings, digest)
        return outcome


def _run_assets(settings: Settings, instance: dg.DagsterInstance, selection, full_refresh: bool,
                partition_range: tuple[str, str] | None) -> RunOutcome:
    from .definitions import defs, refresh_selection
    from .partitions import latest_partition, range_tags
    from .resources import PipelineSettings
    from .transform.project import export_settings

    export_settings(settings)  # dbt reads the environment; the settings resource is resolved now, not at import
    resources = {**defs.resources, "settings": PipelineSettings.from_env()}
    log_level = settings.log_level  # failures are summarised by the caller
    log_path = settings.home / "logs" / f"run-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    keep_newest(log_path.parent.glob("run-*.log"), KEEP_RUN_LOGS - 1)
    selection = refresh_selection if selection is None else selection
    partitioned = _selects_partitioned_assets(defs, selection)
    # dbt's own log lines go to stdout; on the command line they belong in the run's log file
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}},
                  **({"ops": {"prodops_dbt_assets": {"config": {"full_refresh": True}}}} if full_refresh else {})}
    options = dict(instance=instance, resources=resources, run_config=run_config, raise_on_error=False,
                   partition_key=latest_partition() if partitioned and not partition_range else None,
                   tags={CLI_TAG: "cli", **(range_tags(partition_range) if partitioned and partition_range else {})})
    with log_path.open("w") as log, contextlib.redirect_stdout(log):
        if job := _named_job(selection):  # the UI lists the run under its job, as the schedule's
            result = defs.get_job_def(job).execute_in_process(**options)
        else:
            result = dg.materialize([*defs.assets, *defs.asset_checks], selection=selection, **options)
    failures = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        user = event.step_failure_data.user_failure_data
        message = user.description if user and user.description else (error.message.strip() if error else "failed")
        failures.append(f"{event.step_key}: {message}")
    warnings = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        blocking = evaluation.severity == dg.AssetCheckSeverity.ERROR
        line = (f"{'check' if blocking else 'warning from'} {evaluation.asset_key.to_user_string()}:"
                f"{evaluation.check_name}{' failed' if blocking else ''}{_dbt_test_outcome(evaluation.metadata)}"
                + (f": {evaluation.description}" if evaluation.description else ""))
        (failures if blocking else warnings).append(line)
    return RunOutcome(result.success and not failures, result.run_id, failures, log_path, warnings,
                      _not_run(defs, selection, result))


def _dbt_test_outcome(metadata: dict) -> str:
    """How a dbt test's check failed, from dagster-dbt's metadata: its rows found, or an error running it
    (whose message is in the run's log)."""
    status = getattr(metadata.get("status"), "value", None)
    rows = getattr(metadata.get("dagster_dbt/failed_row_count"), "value", None)
    if status == "error":
        return " (the test could not run: dbt's error is in the run's log)"
    return f" (dbt: got {rows:,} result{'s' if rows != 1 else ''}, expected none)" if isinstance(rows, int) and rows else ""


def _named_job(selection) -> str | None:
    """The defined job that is exactly this selection (the refresh's, `prodops ingest`'s), if any."""
    from .definitions import ingest_assets, refresh_selection

    return "refresh" if selection is refresh_selection else "ingest" if selection is ingest_assets else None


def _not_run(defs: dg.Definitions, selection, result) -> dict[str, str]:
    """The selected assets' steps that never ran because a step they need failed (Dagster leaves no
    event for them): said, so that a table does not just show "never" landed."""
    failed = sorted({event.step_key for event in result.get_step_failure_events()})
    if result.success and not failed:
        return {}
    graph = defs.resolve_asset_graph()
    keys = dg.AssetSelection.from_coercible(selection).resolve(graph)
    ran = {event.step_key for event in result.all_events if event.step_key}
    steps = {defs.resolve_assets_def(key).op.name for key in keys}
    because = f"not run: {', '.join(failed) or 'a blocking check'} failed first"
    return {step: because for step in sorted(steps - ran)}
