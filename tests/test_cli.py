"""The `prodops` command as a user meets it: clear output, clear errors, no tracebacks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from prodops_pipeline.cli import main


def test_generate_then_ingest_then_status_json(tmp_path, monkeypatch):
    sources, home = tmp_path / "sources", tmp_path / "home"
    monkeypatch.setenv("PRODOPS_HOME", str(home))
    monkeypatch.setenv("PRODOPS_SOURCES", str(sources))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "--scale", "small", "--seed", "3", "--out", str(sources), "--end", "2026-01-31"])
    assert result.exit_code == 0, result.output
    assert (sources / "ground_truth.json").exists()
    result = runner.invoke(main, ["ingest"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    result = runner.invoke(main, ["status", "--format", "json"])
    status = json.loads(result.output)
    usage = next(t for t in status["tables"] if t["table"] == "usage_events")
    load = usage["last_load"]
    assert load["rows_read"] == load["rows_landed"] + load["rows_quarantined"] > 0
    assert usage["last_landing"]["files"] and load["finished_at"]
    result = runner.invoke(main, ["status"])
    assert result.exit_code == 0 and "usage_events" in result.output


def test_bad_arguments_and_settings_are_clear_errors(tmp_path, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "--out", str(tmp_path), "--end", "tomorrow"])
    assert result.exit_code == 2 and "not a date" in result.output
    result = runner.invoke(main, ["run", "--days", "2026-03-09..2026-03-01"])
    assert result.exit_code == 2 and "the first day is after the last" in result.output
    result = runner.invoke(main, ["run", "--days", "last week"])
    assert result.exit_code == 2 and "not a day or a range of days" in result.output
    monkeypatch.setenv("PRODOPS_PARTITIONS_START", "2024-13-01")
    result = runner.invoke(main, ["status"])
    assert result.exit_code == 1 and "PRODOPS_PARTITIONS_START" in result.output
    monkeypatch.setenv("PRODOPS_TIMEZONE", "Mars/Olympus")
    result = runner.invoke(main, ["status"])
    assert result.exit_code == 1 and "PRODOPS_TIMEZONE" in result.output
    assert "Traceback" not in result.output
    monkeypatch.delenv("PRODOPS_TIMEZONE")
    monkeypatch.delenv("PRODOPS_PARTITIONS_START")
    for variable, value, expected in (
            ("PRODOPS_LOOKBACK_DAYS", "abc", "must be a whole number (0 or more)"),
            ("PRODOPS_SENSOR_SECONDS", "abc", "must be a whole number (1 or more)"),
            ("PRODOPS_SENSOR_SECONDS", "0", "must be a whole number (1 or more)"),
            ("PRODOPS_SCHEDULE", "abc", "is not a cron expression"),
            ("PRODOPS_AS_OF", "yesterday", "is not an ISO-8601 time"),
            ("PRODOPS_LOG_LEVEL", "loud", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
            ("PRODOPS_ENGINE", "trino", "must be one of duckdb, spark"),
            ("PRODOPS_SPARK_MEMORY", "lots", "must be a JVM memory size such as 4g or 3072m"),
            ("PRODOPS_SPARK_SERVER", "spark-master", "must be host:port of a Spark Thrift server (e.g. spark-master:10000)")):
        monkeypatch.setenv(variable, value)
        result = runner.invoke(main, ["run"])
        line = f"{variable}={value!r} {expected}"
        assert result.exit_code == 1 and line in result.output and "Traceback" not in result.output, result.output
        monkeypatch.delenv(variable)
    monkeypatch.setenv("PRODOPS_AS_OF", "2026-11-01T03:00:00+01:00")
    from prodops_pipeline.settings import Settings

    assert Settings.from_env().as_of == "2026-11-01 02:00:00"  # stored in UTC, as dbt compares it
    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PRODOPS_SOURCES", str(tmp_path / "nonexistent"))
    result = runner.invoke(main, ["run"])
    assert result.exit_code == 1 and "nonexistent is not a directory" in result.output
    assert not (tmp_path / "home" / "logs").exists(), "refused before any work started"
    result = runner.invoke(main, ["query", " "])
    assert result.exit_code == 2 and "no SQL given" in result.output


def test_ingest_without_sources_fails_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PRODOPS_SOURCES", str(tmp_path / "nowhere"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster"))
    result = CliRunner().invoke(main, ["ingest"])
    assert result.exit_code == 1
    assert "nowhere is not a directory" in result.output and "PRODOPS_SOURCES" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "home").exists(), "refused before any work started"


def test_bench_times_a_full_build_a_one_day_refresh_per_stage_and_nothing_new_after_a_history(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    refused = CliRunner().invoke(main, ["bench", "--history", "6,0"])
    assert refused.exit_code == 2 and "give whole months from 1 to 24" in refused.output
    result = CliRunner().invoke(main, ["bench", "--scale", "small", "--history", "2"])
    assert result.exit_code == 0, result.output
    assert "one-day refresh" in result.output and "slowest (s)" in result.output

    report = json.loads((tmp_path / "bench" / "small-2m" / "results.json").read_text())
    assert report["history_months"] == 2 and report["full_build"]["usage_rows"] < 65_613  # the year's events at small
    full, refresh = report["full_build"], report["incremental_one_day"]
    for phase in (full, refresh):
        assert phase["wall_seconds"] > sum(phase["stages_seconds"].values()) > 0
        assert phase["stages_seconds"]["dbt"] > 0 and phase["stages_seconds"]["publish"] > 0
        assert phase["peak_memory_mb"] > 0 and phase["usage_rows_per_second"] >= 0  # a small day: a few rows
        slowest = [node["seconds"] for node in phase["dbt_slowest_nodes"]]
        assert slowest == sorted(slowest, reverse=True) and 0 < sum(slowest) <= phase["dbt_node_seconds_total"]
        assert 0 < phase["health_node_seconds"] < phase["dbt_node_seconds_total"]
    assert full["stages_seconds"]["ingest"] > 0 and 0 < refresh["usage_rows"] < full["usage_rows"]  # one day of events
    assert full["usage_rows_per_second"] > 0
    assert report["incremental_share_of_full"] == round(refresh["wall_seconds"] / full["wall_seconds"], 3)
    assert "nothing new" in result.output and 0 < report["nothing_new"]["wall_seconds"]  # said, not timed: bench.py checks the run said it
    assert report["nothing_new_share_of_full"] == round(report["nothing_new"]["wall_seconds"] / full["wall_seconds"], 3)
    floor = report["duckdb_floor"]
    assert floor["mart_rows"] > 0 and report["full_over_floor"] == round(full["wall_seconds"] / floor["seconds"], 2)
    assert "DuckDB floor" in result.output



def test_bench_at_several_histories_compares_their_refreshes(tmp_path, monkeypatch):
    """Each history is a benchmark like the one above (there run for real); here, what the command makes of two."""
    from prodops_pipeline import bench

    measured = {6: 40.0, 12: 60.0}
    phase = {"wall_seconds": 1.0, "stages_seconds": dict.fromkeys(bench.STAGES, 0.1), "outside_steps_seconds": 0.5,
             "usage_rows": 1, "usage_rows_per_second": 1, "peak_memory_mb": 1.0, "dbt_node_seconds_total": 1.0,
             "health_node_seconds": 0.1, "dbt_slowest_nodes": []}
    ran = []

    def fake(settings, scale, seed, months):
        ran.append(months)
        return {"cpus": 2, "full_build": phase, "incremental_one_day": {**phase, "wall_seconds": measured[months]},
                "nothing_new": {"wall_seconds": 1.0, "peak_memory_mb": 1.0}, "incremental_share_of_full": 1.0,
                "nothing_new_share_of_full": 1.0, "duckdb_floor": {"seconds": 0.5, "mart_rows": 1}, "full_over_floor": 2.0}

    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path))
    monkeypatch.setattr(bench, "benchmark", fake)
    result = CliRunner().invoke(main, ["bench", "--scale", "large", "--history", "12,6"])
    assert result.exit_code == 0, result.output
    assert ran == [12, 6]
    assert "One-day refresh after 12 months / after 6 months of history: 1.50x (60.0 s / 40.0 s)" in " ".join(result.output.split())

def test_a_floor_that_does_not_complete_is_reported_and_the_benchmark_stands(tmp_path, monkeypatch):
    from prodops_pipeline import bench
    from prodops_pipeline.settings import Settings

    settings = Settings(home=tmp_path)
    floor = bench.floor_or_error(settings, tmp_path / "no-sources")  # the floor's reader finds no files
    assert floor["seconds"] is None and "no-sources" in floor["error"]
    assert not (tmp_path / "bench-floor.duckdb").exists()

    phase = {"wall_seconds": 1.0, "stages_seconds": dict.fromkeys(bench.STAGES, 0.1), "outside_steps_seconds": 0.5,
             "usage_rows": 1, "usage_rows_per_second": 1, "peak_memory_mb": 1.0, "dbt_node_seconds_total": 1.0,
             "health_node_seconds": 0.1, "dbt_slowest_nodes": []}
    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path))
    monkeypatch.setattr(bench, "benchmark", lambda *_: {
        "cpus": 2, "full_build": phase, "incremental_one_day": phase, "incremental_share_of_full": 1.0,
        "nothing_new": {"wall_seconds": 1.0, "peak_memory_mb": 1.0}, "nothing_new_share_of_full": 1.0,
        "duckdb_floor": {"seconds": None, "error": "Out of Memory Error: could not allocate block"}, "full_over_floor": None})
    result = CliRunner().invoke(main, ["bench", "--scale", "xxl"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "DuckDB floor (the core marts in plain SQL from the same files) did not complete: Out of Memory Error" in said
    assert "one-day refresh" in said


def test_tables_not_landed_because_a_parent_failed_say_why(clean_sources, copy_sources, pipeline_env):
    import shutil

    sources = copy_sources(clean_sources)
    shutil.rmtree(sources / "accounts")  # a required table's folder is missing: its landing fails
    pipeline_env(sources)
    result = CliRunner().invoke(main, ["ingest"])
    assert result.exit_code == 1
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 3}
    assert "raw__accounts" in result.output and "does not exist" in result.output
    for child in ("contacts", "subscription_periods", "usage_events", "tickets"):
        assert "not run: raw__accounts failed first" in lines[child], result.output
    assert "never" not in lines["contacts"]
    assert "features" in lines and "not run" not in lines["features"]
