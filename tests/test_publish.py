"""Audit and publish: nothing reaches analysts unless it passed, and they always read a complete build."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from prodops_pipeline.audit.audited_rows import last_audited_build
from prodops_pipeline.audit.checks import audit_mart, audit_raw, audit_raw_stats, check_result
from prodops_pipeline.audit.identities import IDENTITIES
from prodops_pipeline.audit.gx_project import RUN_TIME_FORMAT, context, data_docs_index, prune_results
from prodops_pipeline.audit.suites import all_suites, expectation_signature
from prodops_pipeline.ingest.assets import raw_key
from prodops_pipeline.ingest.contract import table
from prodops_pipeline.ingest.landing import land_table
from prodops_pipeline.nothing_new import unchanged_build
from prodops_pipeline.publish.build import last_build
from prodops_pipeline.runner import run_assets
from prodops_pipeline.settings import Settings
from prodops_pipeline.transform.project import dbt_project

from .conftest import published_content, run_every_unit_test, written_unit_tests


def published_digest(settings: Settings) -> dict[str, str]:
    files = [settings.analyst_database, settings.published / "build.json", *sorted((settings.published / "parquet").glob("*"))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_a_build_is_published_with_every_mart_and_its_data_docs(published):
    settings, _ = published
    build = last_build(settings)
    content = published_content(settings)
    assert set(content) == set(build["mart_rows"]) and len(content) == 15
    assert {k: len(v) for k, v in content.items()} == build["mart_rows"]
    assert sorted(p.stem for p in (settings.published / "parquet").glob("*.parquet")) == sorted(content)
    assert data_docs_index(settings).exists()


def test_no_personal_data_reaches_a_published_table(published):
    settings, sources = published
    emails = {r[0] for r in duckdb.sql(f"select email from read_csv('{sources}/contacts/*.csv')").fetchall()}
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        for (table, column) in con.sql("""select table_name, column_name from information_schema.columns
                                          where data_type = 'VARCHAR' and table_name <> '_build'""").fetchall():
            values = {r[0] for r in con.sql(f'select distinct "{column}" from "{table}" where "{column}" is not null').fetchall()}
            assert not any("@" in v for v in values), (table, column)
            assert not values & emails, (table, column)


def test_a_bad_value_in_a_raw_table_blocks_the_publish(published):
    settings, sources = published
    before = published_digest(settings)
    day = sorted((sources / "usage_events").glob("*.csv"))[-1]
    lines = day.read_text().splitlines()
    future = lines[1].split(",")
    future[0], future[1] = "ev_from_the_future", "2099-01-01T00:00:00Z"
    (sources / "usage_events" / "zz-late-delivery.csv").write_text(lines[0] + "\n" + ",".join(future) + "\n")
    outcome = run_assets(settings)
    assert not outcome.success
    failure = next(f for f in outcome.failures if "raw/usage_events:gx_audit" in f)
    assert "expect_column_values_to_be_between(occurred_at): 1 unexpected" in failure
    assert published_digest(settings) == before
    # the failed run forgot the inputs of the build: with the bad file gone again, the next run still runs
    (sources / "usage_events" / "zz-late-delivery.csv").unlink()
    assert unchanged_build(settings) is None


def test_a_bad_value_in_a_mart_blocks_the_publish(published):
    settings, _ = published
    before = published_digest(settings)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("update main.nps_summary set nps = 150 where dimension = 'all'")
    checks = dg.AssetSelection.checks_for_assets(dg.AssetKey("nps_summary"))
    outcome = run_assets(settings, selection=checks | dg.AssetSelection.assets("analyst_database"))
    assert not outcome.success
    failure = next(f for f in outcome.failures if "nps_summary:gx_audit" in f)
    assert "expect_column_values_to_be_between(nps)" in failure and "unexpected" in failure
    assert published_digest(settings) == before


def audit_of(settings: Settings, mart: str):
    return audit_mart(settings, mart, last_audited_build(settings))


def test_the_audit_validates_the_rows_new_or_changed_since_the_published_build_and_all_when_it_cannot_rely_on_it(
        published, monkeypatch):
    settings, _ = published
    mart = "account_engagement_daily"
    build_id = last_build(settings)["build_id"]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        total = con.sql(f"select count(*) from {mart}").fetchone()[0]
        rows = con.sql(f"select account_id, day from {mart} order by day desc, account_id limit 3").fetchall()
    unchanged = audit_of(settings, mart)
    assert (unchanged.rows, unchanged.unchanged_since, unchanged.failures) == (0, (build_id, total), [])
    key = dg.AssetCheckKey(dg.AssetKey(mart), "gx_audit")
    assert f"no row new or changed since build {build_id}; its {total} rows are as that build published" in \
        check_result(unchanged, settings, key).description

    with duckdb.connect(str(settings.warehouse)) as con:
        for account_id, day in rows[:2]:
            con.execute(f"update {mart} set events = events + 1 where account_id = ? and day = ?", [account_id, day])
    changed = audit_of(settings, mart)
    assert (changed.rows, changed.unchanged_since, changed.failures) == (2, (build_id, total - 2), [])
    result = check_result(changed, settings, key)
    assert f"on 2 rows new or changed since build {build_id} (the other {total - 2} rows" in result.description
    # counts a person reads in the check's plots: no sample was drawn, so no sample size is shown
    assert {k: v.value for k, v in result.metadata.items() if k.startswith("rows_")} == \
        {"rows_validated": 2, "rows_unchanged_since_audited_build": total - 2}

    # a bad row among the changed ones is found, and blocks the publish
    before = published_digest(settings)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(f"update {mart} set dau = mau + 1 where account_id = ? and day = ?", list(rows[2]))
    outcome = run_assets(settings, selection=dg.AssetSelection.checks_for_assets(dg.AssetKey(mart))
                         | dg.AssetSelection.assets("analyst_database"))
    assert not outcome.success
    failure = next(f for f in outcome.failures if f"{mart}:gx_audit" in f)
    assert "_identity_dau_within_wau_within_mau" in failure and "1 unexpected" in failure, failure
    assert published_digest(settings) == before

    # the whole mart, where the published build cannot vouch for a row: a changed suite, changed columns, or a
    # database file changed after its publish
    monkeypatch.setitem(IDENTITIES, mart, {**IDENTITIES[mart], "_identity_events_not_negative": "case when events < 0 then 1 else 0 end"})
    assert (audit_of(settings, mart).rows, audit_of(settings, mart).unchanged_since) == (total, None)
    monkeypatch.undo()
    assert audit_of(settings, mart).rows == 3
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("alter table nps_summary add column note varchar")
    assert audit_of(settings, "nps_summary").unchanged_since is None
    database = settings.analyst_database.resolve()
    os.utime(database, ns=(database.stat().st_atime_ns, database.stat().st_mtime_ns + 1))
    assert last_audited_build(settings) is None and audit_of(settings, mart).rows == total


def test_half_of_the_usage_rows_disappearing_blocks_the_publish(published):
    settings, sources = published
    before = published_digest(settings)
    for path in (sources / "usage_events").glob("*.csv"):
        lines = path.read_text().splitlines()
        path.write_text("\n".join(lines[: 1 + (len(lines) - 1) // 2]) + "\n")
    outcome = run_assets(settings)
    assert not outcome.success
    assert any("raw/usage_events:gx_volume" in f and "usage_events holds" in f
               and "of the last published build; at least 85% expected" in f for f in outcome.failures), outcome.failures
    # the demo data ends months ago: its freshness is a warning, said in words
    assert any(re.search(r"newest ticket_events record \(occurred_at\) is [0-9.]+ days old; limit 48 h", w)
               for w in outcome.warnings), outcome.warnings
    assert published_digest(settings) == before


def test_an_absent_optional_table_is_not_stale_and_an_empty_required_one_says_so(tmp_path):
    settings = Settings.from_env({"PRODOPS_HOME": str(tmp_path / "home"), "PRODOPS_SOURCES": str(tmp_path)})
    assert not audit_raw_stats(settings, table("survey_deliveries"), "freshness").failures
    (empty,) = audit_raw_stats(settings, table("usage_events"), "freshness").failures
    assert empty.describe() == "no usage_events record has landed yet; limit 48 h"


def test_a_fill_rate_is_not_a_warning_for_a_column_the_source_does_not_have(tmp_path):
    sources = tmp_path / "sources"
    for name, text in (("accounts", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n"),
                       ("tickets", "ticket_id,account_id,created_at,status,channel\n"  # no priority, no type
                                   "t1,acc_1,2026-03-01T09:00:00Z,open,\nt2,acc_1,2026-03-01T10:00:00Z,open,\n")):
        (sources / name).mkdir(parents=True)
        (sources / name / "a.csv").write_text(text)
    settings = Settings.from_env({"PRODOPS_HOME": str(tmp_path / "home"), "PRODOPS_SOURCES": str(sources)})
    land_table(settings, table("accounts"))
    land_table(settings, table("tickets"))
    outcome = audit_raw(settings, table("tickets"))
    # channel is in the source but empty: a real warning; priority and type are simply not there
    assert [(f.column, f.severity) for f in outcome.failures] == [("channel", "warning")]
    assert outcome.not_applicable == ["priority", "type"]


def test_a_reader_holds_the_database_through_a_refresh_that_publishes_the_same_content(published):
    settings, _ = published
    first = published_content(settings)
    reader = duckdb.connect(str(settings.analyst_database), read_only=True)
    before = reader.sql("select build_id from _build").fetchone()[0]
    assert run_assets(settings).success
    assert reader.sql("select build_id from _build").fetchone()[0] == before
    assert reader.sql("select count(*) from nps_summary").fetchone()[0] > 0
    reader.close()
    with duckdb.connect(str(settings.analyst_database), read_only=True) as fresh:
        assert fresh.sql("select build_id from _build").fetchone()[0] != before
    assert published_content(settings) == first, "the same refresh publishes the same content"
    assert last_build(settings)["mart_rows"] == {k: len(v) for k, v in first.items()}


def assert_consistent(settings: Settings) -> str:
    """The database, build.json and the Parquet files analysts reach name one complete build."""
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        build_id, info = con.sql("select build_id, build_json from _build").fetchone()
        for mart, rows in json.loads(info)["mart_rows"].items():
            assert con.sql(f'select count(*) from "{mart}"').fetchone()[0] == rows, mart
            parquet = settings.published / "parquet" / f"{mart}.parquet"
            assert duckdb.sql(f"select count(*) from '{parquet}'").fetchone()[0] == rows, mart
    assert last_build(settings)["build_id"] == build_id
    assert (settings.published / "parquet").resolve().parent.name == build_id
    return build_id


# the publish step of a refresh, alone in its own process: the audited warehouse's marts published again
PUBLISH_AGAIN = ("from prodops_pipeline.publish.build import last_build, publish\n"
                 "from prodops_pipeline.settings import Settings\n"
                 "settings = Settings.from_env()\n"
                 "build = last_build(settings)\n"
                 "publish(settings, sorted(build['mart_rows']), build['raw_rows'], build['high_water_mark'], build['currency'])\n")


def _reached(moment) -> bool:
    try:
        return moment()
    except FileNotFoundError:  # the folder looked into was swapped in while it was being looked into
        return False


def test_a_refresh_killed_while_it_publishes_leaves_a_complete_build(published):
    """A publish killed at each of its moments leaves analysts the last complete build (only the swap
    changes what they read), and the next publish clears what it left. The publish is killed in a process
    of its own: everything a refresh does before it writes nothing analysts read."""
    settings, _ = published
    builds = settings.published / "builds"
    # the moments of a publish: its folder appears, its database is being written, its Parquet files are
    moments = (lambda: any(builds.glob(".*.partial")),
               lambda: any(p.stat().st_size > 0 for p in builds.glob(".*.partial/analytics.duckdb")),
               lambda: len(list(builds.glob(".*.partial/parquet/*.parquet"))) >= 5)
    killed_publishing = 0
    for reached in moments:
        before = assert_consistent(settings)
        process = subprocess.Popen([sys.executable, "-c", PUBLISH_AGAIN], env={**os.environ},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 600
        while not _reached(reached) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        in_publish = _reached(reached)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        killed_publishing += in_publish
        after = assert_consistent(settings)
        assert after == before or not in_publish, "a publish killed before its swap changed what analysts read"
    assert killed_publishing >= 2, "the kills should land inside the publish"
    again = subprocess.run([sys.executable, "-c", PUBLISH_AGAIN], env={**os.environ}, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    assert assert_consistent(settings) != before  # the next publish swapped in its build
    assert not list(settings.published.glob(".*.tmp")) and not list(builds.glob(".*.partial"))


def test_committed_suites_follow_the_contracts(tmp_path):
    ctx = context(Settings.from_env({"PRODOPS_HOME": str(tmp_path)}))
    for spec in all_suites(dbt_project.manifest_path):
        committed = ctx.suites.get(spec.name)
        assert sorted(map(expectation_signature, committed.expectations)) == \
            sorted(map(expectation_signature, spec.expectations)), f"run `prodops expectations`: {spec.name} is stale"


def test_validation_results_older_than_the_keep_window_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path))
    monkeypatch.setenv("PRODOPS_GX_KEEP_DAYS", "30")
    settings = Settings.from_env()
    now = datetime.now(timezone.utc)
    runs = {age: (now - timedelta(days=age)).strftime(RUN_TIME_FORMAT) for age in (45, 1)}
    for root in ("validations", "data_docs/validations"):
        for run in runs.values():
            folder = tmp_path / "gx" / root / "nps_summary" / "__none__" / run
            folder.mkdir(parents=True)
            (folder / "result.json").write_text("{}")
    assert prune_results(settings) == 2
    for root in ("validations", "data_docs/validations"):
        kept = sorted(p.name for p in (tmp_path / "gx" / root / "nps_summary" / "__none__").iterdir())
        assert kept == [runs[1]]


def test_a_large_raw_load_is_audited_on_the_same_sample_every_time(published):
    settings, _ = published
    usage = table("usage_events")
    whole = audit_raw(settings.model_copy(update={"audit_sample_rows": 0}), usage)
    assert whole.sampled_from is None and whole.rows > 20_000 and not whole.failures
    sampled = settings.model_copy(update={"audit_sample_rows": 2_000})
    first, again = audit_raw(sampled, usage), audit_raw(sampled, usage)
    assert first.sampled_from == whole.rows
    assert 1_500 < first.rows < 2_500 and first.rows == again.rows
    key = dg.AssetCheckKey(raw_key("usage_events"), "gx_audit")
    assert {k: v.value for k, v in check_result(first, settings, key).metadata.items() if k.startswith("rows_")} == \
        {"rows_validated": first.rows, "rows_sampled_from": whole.rows}
    assert "rows_sampled_from" not in check_result(whole, settings, key).metadata


def test_every_dbt_unit_test_passes(published):
    """The unit tests of the metric logic (inline in the models' YAML) run here, not in nightly builds: under
    our layout, and under the vendor selections that enable the other systems' staging models."""
    settings, _ = published
    ran, failed = run_every_unit_test(settings)
    assert not failed, failed
    assert ran == written_unit_tests()
