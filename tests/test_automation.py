"""Unattended operation: schedule, new-file sensor, freshness policies, dbt arguments, benchmark stages."""

from __future__ import annotations

import dagster as dg
from filelock import FileLock

from prodops_pipeline.bench import stage_of
from prodops_pipeline.ingest.contract import TABLES
from prodops_pipeline.ingest.landing import land_table
from prodops_pipeline.partitions import latest_partition
from prodops_pipeline.refresh_lock import LOCK
from prodops_pipeline.resources import PipelineSettings
from prodops_pipeline.runner import dagster_instance
from prodops_pipeline.settings import Settings
from prodops_pipeline.transform.assets import DbtBuildConfig, dbt_build_args


def test_the_nightly_schedule_runs_the_whole_graph_at_two_in_the_reporting_zone(monkeypatch):
    from prodops_pipeline.automation import nightly_schedule
    from prodops_pipeline.definitions import defs, refresh_job

    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.job_name == "refresh"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    with dg.build_schedule_context() as context:
        request = schedule(context)
    assert request.partition_key == latest_partition(), "one run for today's partition catches up every night missed"
    monkeypatch.setenv("PRODOPS_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("PRODOPS_SCHEDULE", "30 3 * * 1-5")
    custom = nightly_schedule(refresh_job, Settings.from_env())
    assert (custom.cron_schedule, custom.execution_timezone) == ("30 3 * * 1-5", "Europe/Berlin")


def test_the_sensor_requests_one_run_per_set_of_new_files(clean_sources, copy_sources, pipeline_env):
    from prodops_pipeline.definitions import defs

    sources = copy_sources(clean_sources)
    settings = pipeline_env(sources)
    sensor = defs.resolve_sensor_def("new_source_files")

    instance = dagster_instance(settings)

    def tick():
        with dg.build_sensor_context(resources={"settings": PipelineSettings.from_env()}, instance=instance) as context:
            return sensor(context)

    first, again = tick(), tick()
    assert isinstance(first, dg.RunRequest) and first.run_key == again.run_key
    assert first.partition_key == latest_partition()
    with FileLock(settings.home / LOCK):  # a refresh from the command line is in progress
        busy = tick()
        assert isinstance(busy, dg.SkipReason) and "in progress" in busy.skip_message
        from prodops_pipeline.automation import nightly_schedule
        from prodops_pipeline.definitions import refresh_job

        with dg.build_schedule_context() as context:
            skipped = nightly_schedule(refresh_job, settings)(context)
        assert isinstance(skipped, dg.SkipReason) and "in progress" in skipped.skip_message
    for table in TABLES:
        land_table(settings, table)
    assert isinstance(tick(), dg.SkipReason)
    (sources / "usage_events" / "extra.csv").write_text("event_id,occurred_at,user_id,account_id,event_name\n")
    assert isinstance(tick(), dg.RunRequest)


def test_raw_tables_and_marts_carry_a_freshness_policy_and_intermediate_models_do_not():
    from prodops_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["raw", "usage_events"])).freshness_policy is not None
    assert graph.get(dg.AssetKey("nps_summary")).freshness_policy is not None
    assert graph.get(dg.AssetKey("analyst_database")).freshness_policy is not None
    assert graph.get(dg.AssetKey("int_usage_user_daily")).freshness_policy is None


def test_dbt_arguments_for_incremental_and_full_refresh_builds():
    nightly = ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(DbtBuildConfig()) == nightly
    assert dbt_build_args(DbtBuildConfig(full_refresh=True)) == [*nightly, "--full-refresh"]
    assert dbt_build_args(DbtBuildConfig(), "2026-03-01") == [*nightly, "--vars", '{"first_day": "2026-03-01"}']


def test_benchmark_stages_follow_the_steps():
    assert [stage_of(k) for k in ("raw__usage_events", "raw__usage_events_gx_checks", "raw__tickets_gx_checks",
                                  "prodops_dbt_assets", "mart_gx_audit", "analyst_database")] == \
        ["ingest", "audit", "audit", "dbt", "audit", "publish"]


def test_dbt_run_folders_are_pruned_and_the_partial_parse_state_carried_to_the_next_run(tmp_path):
    import os

    from prodops_pipeline.transform.targets import KEEP_RUN_TARGETS, PARTIAL_PARSE, keep_partial_parse, prune_run_targets

    runs = []
    for i in range(KEEP_RUN_TARGETS + 3):
        run = tmp_path / f"prodops_dbt_assets-run{i:02d}-x"
        run.mkdir()
        os.utime(run, (1_000_000 + i, 1_000_000 + i))
        runs.append(run)
    (tmp_path / "other-folder").mkdir()
    removed = prune_run_targets(tmp_path, prefix="prodops_dbt_assets")
    assert removed == runs[:3]
    assert sorted(p for p in tmp_path.iterdir() if p.name.startswith("prodops")) == runs[3:]
    assert (tmp_path / "other-folder").exists()

    (tmp_path / PARTIAL_PARSE).write_bytes(b"state of the last dbt parse")
    keep_partial_parse(runs[-1], tmp_path)  # a command that wrote no state changes nothing
    assert (tmp_path / PARTIAL_PARSE).read_bytes() == b"state of the last dbt parse"
    (runs[-1] / PARTIAL_PARSE).write_bytes(b"state of the latest run")
    keep_partial_parse(runs[-1], tmp_path)
    assert (tmp_path / PARTIAL_PARSE).read_bytes() == b"state of the latest run"
    assert not list(tmp_path.glob(".*.tmp"))
