"""A changed setting never leaves a build half in the old meaning: rows are judged again, models
rebuilt, and the result equals a fresh build under the new settings. And a build missing a core
table is never published."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
from click.testing import CliRunner

from prodops_pipeline.cli import main
from prodops_pipeline.runner import run_assets
from prodops_pipeline.settings import Settings

from .conftest import published_content


def run_in_a_new_process() -> str:
    """`prodops run` as a user's next command: the code location reads the reporting zone when it loads."""
    result = subprocess.run([sys.executable, "-m", "prodops_pipeline.cli", "run"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "300"})
    assert result.returncode == 0, result.stdout + result.stderr
    return " ".join(result.stdout.split())


def test_changing_the_reporting_time_zone_equals_a_fresh_build_in_the_new_zone(published, tmp_path, monkeypatch):
    settings, sources = published
    monkeypatch.setenv("PRODOPS_TIMEZONE", "Pacific/Auckland")
    output = run_in_a_new_process()
    assert "Settings changed since the last build: PRODOPS_TIMEZONE 'UTC' → 'Pacific/Auckland'" in output
    changed = published_content(Settings.from_env())

    fresh_home = tmp_path / "fresh"
    monkeypatch.setenv("PRODOPS_HOME", str(fresh_home))
    monkeypatch.setenv("DAGSTER_HOME", str(fresh_home / "dagster"))
    fresh = Settings.from_env()
    assert "Settings changed" not in run_in_a_new_process()
    assert changed == published_content(fresh)
    with duckdb.connect(str(fresh.analyst_database), read_only=True) as con:  # the zone reached the marts
        assert con.sql("select count(*) from account_engagement_daily").fetchone()[0] > 0


def test_a_currency_fixed_after_a_quarantine_is_applied_and_an_empty_core_table_blocks_the_publish(
        clean_sources, copy_sources, pipeline_env, monkeypatch):
    sources = copy_sources(clean_sources)
    for path in (sources / "subscription_periods").glob("*.csv"):
        path.write_text(path.read_text().replace('"USD"', '"EUR"').replace(",USD,", ",EUR,"))
    monkeypatch.setenv("PRODOPS_CURRENCY", "USD")
    monkeypatch.setenv("PRODOPS_QUARANTINE_MAX_RATE", "1")  # let the quarantine through: the publish must still refuse
    settings = pipeline_env(sources)
    outcome = run_assets(settings)
    assert not outcome.success
    assert any("no row of subscription_periods is landed" in line for line in outcome.failures), outcome.failures
    assert not settings.analyst_database.exists()

    monkeypatch.setenv("PRODOPS_CURRENCY", "EUR")
    outcome = run_assets(Settings.from_env())
    assert outcome.success, outcome.failures
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        paying = con.sql("select max(customers_at_end) from logo_retention").fetchone()[0]
        mrr = con.sql("select max(ending_mrr) from revenue_retention").fetchone()[0]
    assert paying > 0 and mrr > 0


def test_recheck_judges_again_the_rows_a_fixed_parent_table_now_explains(clean_sources, copy_sources, pipeline_env,
                                                                         monkeypatch):
    sources = copy_sources(clean_sources)
    account = next((sources / "contacts").glob("*.csv")).read_text().splitlines()[1].split(",")[1]
    accounts = sources / "accounts" / "accounts.csv"
    header, *lines = accounts.read_text(encoding="utf-8-sig").splitlines()
    missing = next(line for line in lines if line.split(",")[0] == account)
    lines.remove(missing)  # an account the CRM export forgot: its contacts are orphans
    accounts.write_text("\n".join([header, *lines]) + "\n")
    monkeypatch.setenv("PRODOPS_QUARANTINE_MAX_RATE", "1")
    pipeline_env(sources)
    runner = CliRunner()
    assert runner.invoke(main, ["ingest"]).exit_code == 0

    def orphans():
        status = runner.invoke(main, ["status", "--format", "json"]).output
        contacts = next(t for t in json.loads(status)["tables"] if t["table"] == "contacts")
        return contacts["rows_quarantined_total"]

    before = orphans()
    assert before > 0
    (sources / "accounts" / "late_account.csv").write_text(header + "\n" + missing + "\n")
    assert runner.invoke(main, ["ingest"]).exit_code == 0
    assert orphans() == before  # the contacts file did not change: it is not judged again by itself

    result = runner.invoke(main, ["ingest", "--recheck", "contacts"])
    assert result.exit_code == 0, result.output
    assert "Judging again 1 file(s) of contacts" in result.output
    assert orphans() == 0
    bad = runner.invoke(main, ["ingest", "--recheck", "contact"])
    assert bad.exit_code == 2 and "not a source table" in bad.output


def test_a_definition_var_is_part_of_the_meaning_and_an_unrecorded_build_counts_as_changed(tmp_path, monkeypatch):
    from prodops_pipeline import settings_change

    settings = Settings.from_env({"PRODOPS_HOME": str(tmp_path)})
    before = settings_change.meaning(settings)
    assert json.loads(before["dbt vars"])["nps_min_sample"] == 30 and "as_of" not in json.loads(before["dbt vars"])
    project = tmp_path / "dbt_project.yml"
    project.write_text(settings_change.DBT_PROJECT_FILE.read_text().replace("nps_min_sample: 30", "nps_min_sample: 50"))
    monkeypatch.setattr(settings_change, "DBT_PROJECT_FILE", project)
    (changed,) = settings_change.changes(before, settings_change.meaning(settings))
    assert changed.startswith("dbt vars ") and '"nps_min_sample": 50' in changed
    assert settings_change.changes(None, before, made=False) == []
    assert settings_change.changes(None, before, made=True) == ["no record of the settings it was made with"]


def test_a_warehouse_built_under_an_earlier_table_layout_is_rebuilt_whole(published):
    """An upgrade that lays a model's table out anew (on Spark, the usage marts partitioned by their period) cannot
    append to the old tables: the warehouse's record of the layout differs, so the next run rebuilds every model."""
    from prodops_pipeline import settings_change

    settings, _ = published
    assert settings_change.pending_changes(settings) == []
    record = settings_change.warehouse_record(settings)
    recorded = json.loads(record.read_text())
    record.write_text(json.dumps({**recorded, "table layout": "1"}))
    assert settings_change.pending_changes(settings) == [f"table layout '1' → {settings_change.TABLE_LAYOUT!r}"]
