"""The Dagster code location: it loads, shows one asset per source table, and runs for real."""

from __future__ import annotations

import os

import dagster as dg

from prodops_pipeline.audit.checks import AUDIT_CHECK, FRESHNESS_CHECK, VOLUME_CHECK
from prodops_pipeline.definitions import defs
from prodops_pipeline.health.assets import BANDS_KEY, RULES_KEY
from prodops_pipeline.definitions import ingest_assets
from prodops_pipeline.ingest.assets import QUARANTINE_CHECK, raw_key
from prodops_pipeline.ingest.contract import TABLES
from prodops_pipeline.runner import KEEP_RUN_LOGS, run_assets
from prodops_pipeline.settings import Settings


def test_definitions_load_with_one_asset_per_source_table_grouped_by_kind():
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    for t in TABLES:
        node = graph.get(raw_key(t.name))
        assert node.group_name == t.kind
        assert {d for d in node.parent_keys} == {raw_key(p) for p in t.parents}
        assert dg.AssetCheckKey(raw_key(t.name), QUARANTINE_CHECK) in graph.asset_check_keys


def test_one_graph_runs_from_source_tables_to_marts_grouped_by_area():
    graph = defs.resolve_asset_graph()
    for mart, area in (("feature_adoption", "adoption"), ("nps_summary", "nps"), ("logo_retention", "retention"),
                       ("support_summary", "support")):
        node = graph.get(dg.AssetKey(mart))
        assert node.group_name == area
        assert raw_key("usage_events") in graph.get_ancestor_asset_keys(node.key) or mart == "support_summary"
    assert raw_key("ticket_events") in graph.get_ancestor_asset_keys(dg.AssetKey("support_summary"))
    assert graph.get(dg.AssetKey("stg_prodops__usage_events")).parent_keys == {raw_key("usage_events")}
    dbt_checks = {k.name for k in graph.asset_check_keys if k.asset_key == dg.AssetKey("nps_summary")} - {"gx_audit"}
    # each check once: dbt checks a mart's grain over the whole table, its GX suite the rest
    assert dbt_checks and all(name.startswith("unique_combination_") for name in dbt_checks), dbt_checks


def test_account_health_sits_in_its_group_downstream_of_its_rules_and_the_marts_it_reads():
    graph = defs.resolve_asset_graph()
    health = graph.get(dg.AssetKey("account_health"))
    assert health.group_name == "health"
    ancestors = graph.get_ancestor_asset_keys(health.key)
    for upstream in (RULES_KEY, BANDS_KEY, dg.AssetKey("account_engagement_daily"), dg.AssetKey("ticket_metrics"),
                     raw_key("survey_responses"), raw_key("subscription_periods")):
        assert upstream in ancestors, upstream
    assert {graph.get(RULES_KEY).group_name, graph.get(BANDS_KEY).group_name} == {"health"}
    assert dg.AssetKey("account_health") in graph.get(dg.AssetKey("analyst_database")).parent_keys
    gx = graph.get_check_spec(dg.AssetCheckKey(health.key, AUDIT_CHECK))
    assert gx.blocking


def test_event_like_sources_and_daily_facts_are_partitioned_by_reporting_day():
    graph = defs.resolve_asset_graph()
    daily = [raw_key(t.name) for t in TABLES if t.event_like] + [
        dg.AssetKey(m) for m in ("stg_prodops__usage_events", "int_usage_user_daily", "int_usage_feature_daily")]
    for key in daily:
        node = graph.get(key)
        assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition), key
        assert node.partitions_def.timezone == Settings.from_env().timezone
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), "a backfill of many days is one run"
    # what depends on who counts as a customer is rebuilt whole
    for key in (raw_key("accounts"), dg.AssetKey("int_customer_accounts"), dg.AssetKey("int_user_activity_daily"),
                dg.AssetKey("feature_adoption"), dg.AssetKey("analyst_database")):
        assert graph.get(key).partitions_def is None, key


def test_materializing_lands_every_table_with_metadata(clean_sources, pipeline_env):
    settings = pipeline_env(clean_sources)
    outcome = run_assets(settings, selection=ingest_assets)
    assert outcome.success, outcome.failures
    instance = dg.DagsterInstance.get()
    for t in TABLES:
        event = instance.get_latest_materialization_event(raw_key(t.name))
        metadata = event.asset_materialization.metadata
        assert metadata["rows_read"].value == metadata["rows_landed"].value + metadata["rows_quarantined"].value
        assert metadata["files_landed"].value > 0


def test_too_much_quarantine_fails_the_blocking_check(dirty_sources, pipeline_env, monkeypatch):
    monkeypatch.setenv("PRODOPS_QUARANTINE_MAX_RATE", "0")
    monkeypatch.setenv("PRODOPS_CURRENCY", "USD")  # the dirty data plants a foreign currency
    settings = pipeline_env(dirty_sources)
    outcome = run_assets(settings, selection=ingest_assets)
    assert not outcome.success
    assert any("quarantine_rate failed" in line for line in outcome.failures)


def test_an_unreadable_file_fails_its_asset_naming_the_file_while_others_land(clean_sources, copy_sources, pipeline_env):
    sources = copy_sources(clean_sources)
    (sources / "ticket_events" / "corrupt.jsonl").write_text('{"event_id": "x", \n')
    settings = pipeline_env(sources)
    outcome = run_assets(settings, selection=ingest_assets)
    assert not outcome.success
    failure = next(line for line in outcome.failures if line.startswith("raw__ticket_events"))
    assert "corrupt.jsonl" in failure
    instance = dg.DagsterInstance.get()
    assert instance.get_latest_materialization_event(raw_key("survey_responses")) is not None


def test_a_run_keeps_only_the_newest_run_logs(clean_sources, pipeline_env):
    settings = pipeline_env(clean_sources)
    logs = settings.home / "logs"
    logs.mkdir(parents=True)
    old = []
    for i in range(KEEP_RUN_LOGS + 2):
        path = logs / f"run-2026010{i // 60}T00{i % 60:02d}00.log"
        path.write_text("an earlier run\n")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
        old.append(path)
    (logs / "notes.txt").write_text("not a run log\n")

    outcome = run_assets(settings, selection=[raw_key("features")])
    assert outcome.success, outcome.failures
    assert sorted(logs.glob("run-*.log")) == sorted([*old[3:], outcome.log_path])
    assert (logs / "notes.txt").exists()


def test_a_warning_check_is_not_blocking_and_the_contract_and_volume_checks_are():
    graph = defs.resolve_asset_graph()
    for t in TABLES:
        for name in (AUDIT_CHECK, VOLUME_CHECK):
            assert graph.get_check_spec(dg.AssetCheckKey(raw_key(t.name), name)).blocking, (t.name, name)
    fresh = [k for k in graph.asset_check_keys if k.name == FRESHNESS_CHECK]
    assert {k.asset_key for k in fresh} == {raw_key(n) for n in ("usage_events", "ticket_events", "survey_responses",
                                                                  "survey_deliveries")}
    assert not any(graph.get_check_spec(k).blocking for k in fresh)


def test_the_settings_resource_gives_every_setting_back():
    """Assets read the settings from the run's resource: a setting missing from it would be its default there."""
    from prodops_pipeline.resources import PipelineSettings

    assert set(PipelineSettings.model_fields) == set(Settings.model_fields)
    settings = Settings.from_env({"PRODOPS_HOME": "/tmp/elsewhere", "PRODOPS_ENGINE": "spark", "PRODOPS_SPARK_MEMORY": "5g",
                                  "PRODOPS_SPARK_WAREHOUSE": "/tmp/tables", "PRODOPS_SPARK_SERVER": "spark-master:10000",
                                  "PRODOPS_LOOKBACK_DAYS": "5"})
    assert PipelineSettings.from_settings(settings).get() == settings


def test_the_instance_stores_runs_and_events_through_kept_engines_and_an_earlier_dagster_yaml_is_upgraded(
        tmp_path, monkeypatch):
    from prodops_pipeline.dagster_storage import OPEN_RUN_SHARDS, KeptEngineEventLogStorage, KeptEngineRunStorage
    from prodops_pipeline.runner import WRITTEN_BY_PRODOPS, dagster_instance

    home = tmp_path / "dagster"
    home.mkdir()
    earlier = WRITTEN_BY_PRODOPS + "telemetry:\n  enabled: false\nrun_queue:\n  max_concurrent_runs: 3\n"
    (home / "dagster.yaml").write_text(earlier)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = dagster_instance(Settings.from_env())
    upgraded = (home / "dagster.yaml").read_text()
    assert "KeptEngineSqliteStorage" in upgraded and upgraded.endswith("max_concurrent_runs: 3\n")
    assert dagster_instance(Settings.from_env()) and (home / "dagster.yaml").read_text() == upgraded
    assert isinstance(instance.event_log_storage, KeptEngineEventLogStorage)
    assert isinstance(instance.run_storage, KeptEngineRunStorage)

    days = dg.DailyPartitionsDefinition(start_date="2026-01-01")

    @dg.asset(partitions_def=days)
    def daily(context):
        for day in range(1, 11):
            context.log_event(dg.AssetMaterialization(asset_key="daily", partition=f"2026-02-{day:02d}"))

    for day in range(1, OPEN_RUN_SHARDS + 3):
        assert dg.materialize([daily], instance=instance, partition_key=f"2026-01-{day:02d}").success
    assert len(instance.get_runs()) == OPEN_RUN_SHARDS + 2
    assert len(instance.get_materialized_partitions(dg.AssetKey("daily"))) == OPEN_RUN_SHARDS + 2 + 10
    # the web server reads every run: only the index and the newest few run files keep an engine open
    assert len(instance.event_log_storage._engines) == OPEN_RUN_SHARDS + 1
    with instance.event_log_storage.index_connection() as conn:  # write-ahead log, synced at checkpoints
        assert (conn.exec_driver_sql("pragma journal_mode").scalar(), conn.exec_driver_sql("pragma synchronous").scalar()) == ("wal", 1)
    instance.event_log_storage.wipe()  # deletes the run files: none of them is held open
    assert list(instance.event_log_storage._engines) == ["index"]
    assert not instance.get_materialized_partitions(dg.AssetKey("daily"))
