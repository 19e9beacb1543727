"""Nightly operation: an incremental refresh lands only new files, rebuilds the affected days, and
ends with the same marts as a full rebuild; missed nights are caught up in one run."""

from __future__ import annotations

import json
from datetime import timedelta

import dagster as dg
import duckdb
import pytest

from prodops_pipeline.demo.generator import generate
from prodops_pipeline.ingest.assets import raw_key
from prodops_pipeline.ingest.pending import pending_files
from prodops_pipeline.partitions import latest_partition
from prodops_pipeline.runner import run_assets
from prodops_pipeline.transform.project import dbt_project

from .conftest import END, SEED, published_content


def warehouse_rows(settings, sql):
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def built(tmp_path, pipeline_env, end):
    """Sources generated up to `end` and one successful run over them."""
    sources = tmp_path / "sources"
    generate("small", SEED, sources, end=end)
    settings = pipeline_env(sources)
    assert run_assets(settings).success
    return settings, sources


def add_late_event(sources, late_day, name="late-redelivery"):
    """A file holding one event of `late_day`, arriving late with the latest day's files."""
    header, first = (sources / "usage_events" / f"{END.isoformat()}.csv").read_text().splitlines()[:2]
    fields = first.split(",")
    fields[0], fields[1] = f'"ev_{name}"', f"{late_day.isoformat()}T12:00:00Z"
    (sources / "usage_events" / f"{name}.csv").write_text(f"{header}\n{','.join(fields)}\n")
    return fields[3].strip('"')  # its user


def change_a_plan(sources):
    """The CRM corrects the plan of the first running paying period: every month's segment of that
    account changes from its start on."""
    periods = sources / "subscription_periods" / "subscription_periods.csv"
    lines = periods.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if '"false"' in line and ',,' in line)
    fields = lines[row].split(",")
    fields[3] = '"enterprise"' if fields[3] != '"enterprise"' else '"starter"'
    lines[row] = ",".join(fields)
    periods.write_text("\n".join(lines) + "\n")


def change_the_crm(sources, moved_user):
    """Delete an account, restore the deleted ones, find a user to be staff and move `moved_user` to account
    acc_000004: who counts as a customer changes on every past day."""
    accounts, contacts = sources / "accounts" / "accounts.csv", sources / "contacts" / "contacts.csv"
    deleted = [line.split(",")[0] for line in accounts.read_text().splitlines() if line.endswith('"true"')]
    assert deleted, "the demo data has a deleted account to restore"
    lines = accounts.read_text().splitlines()
    lines[1] = lines[1].removesuffix('"false"') + '"true"'  # the first account is deleted
    accounts.write_text("\n".join(line.removesuffix('"true"') + '"false"' if line.split(",")[0] in deleted else line
                                  for line in lines) + "\n")  # and the deleted ones restored
    people = contacts.read_text().splitlines()
    member = next(i for i, line in enumerate(people) if '"member","false"' in line and '"acc_000002"' in line)
    people[member] = people[member].replace('"member","false"', '"member","true"')  # a user turns out to be staff
    mover = next(i for i, line in enumerate(people) if line.startswith(f'"{moved_user}",'))
    fields = people[mover].split(",")
    fields[1] = '"acc_000004"'
    people[mover] = ",".join(fields)
    contacts.write_text("\n".join(people) + "\n")


def re_export_a_day_file(sources, day):
    """The source exports `day` again: one event gone, another one's time corrected to 5 days
    earlier. Returns both event ids."""
    day_file = sources / "usage_events" / f"{day.isoformat()}.csv"
    header, *rows = day_file.read_text().splitlines()
    dropped, changed = rows[0].split(",")[0].strip('"'), rows[1].split(",")
    changed[1] = f"{(day - timedelta(days=5)).isoformat()}T08:00:00Z"
    day_file.write_text("\n".join([header, ",".join(changed), *rows[2:]]) + "\n")
    return dropped, changed[0].strip('"')


def mark_a_subscription_day_nobody_reads(settings, near):
    """Sets seats to -1 on the 15th of the month of `near` for the last account paying then: the marts read
    subscription days at period ends only, so the mark changes none, and a rebuild of the row would undo it.
    Returns the SQL condition naming the row."""
    day = near.replace(day=15)
    with duckdb.connect(str(settings.warehouse)) as con:
        account, = con.sql("select max(account_id) from intermediate.int_subscription_daily "
                           f"where day = '{day}' and is_paying").fetchone()
        kept = f"account_id = '{account}' and day = '{day}'"
        con.execute(f"update intermediate.int_subscription_daily set seats = -1 where {kept}")
    return kept


@pytest.mark.slow
def test_a_night_after_downtime_equals_a_full_rebuild_and_a_rerun_changes_nothing(tmp_path, pipeline_env):
    """Three nights missed, then one run gets everything at once: the missed days, an event three
    days late and one 40 days late (beyond the lookback, in an earlier month), a CRM change reaching
    past days (an account deleted, the deleted ones restored, a user found to be staff, a plan
    corrected), and a day file exported again with changed content."""
    settings, sources = built(tmp_path, pipeline_env, END - timedelta(days=3))
    late_day, very_late_day, re_exported_day = END - timedelta(days=3), END - timedelta(days=43), END - timedelta(days=20)
    generate("small", SEED, sources, end=END)
    late_user = add_late_event(sources, late_day)
    very_late_user = add_late_event(sources, very_late_day, "very-late-redelivery")
    moved_user, = warehouse_rows(settings, "select min(user_id) from main.user_feature_adoption "
                                           "where account_id not in ('acc_000001', 'acc_000002', 'acc_000004')")[0]
    change_the_crm(sources, moved_user)
    change_a_plan(sources)
    dropped, moved = re_export_a_day_file(sources, re_exported_day)
    user_day = "select coalesce(sum(events), 0) from intermediate.int_usage_user_{grain} where user_id = '{user}' and {day}"
    late = user_day.format(grain="daily", user=late_user, day=f"day = '{late_day}'")
    very_late = user_day.format(grain="monthly", user=very_late_user, day=f"month_start = '{very_late_day.replace(day=1)}'")
    before, before_very_late = warehouse_rows(settings, late)[0][0], warehouse_rows(settings, very_late)[0][0]
    kept = mark_a_subscription_day_nobody_reads(settings, END - timedelta(days=75))

    outcome = run_assets(settings)
    assert outcome.success, outcome.failures
    # subscription days are rebuilt for the accounts whose periods changed (the deleted one: gone), not the others
    assert warehouse_rows(settings, f"select seats from intermediate.int_subscription_daily where {kept}") == [(-1,)]
    first_account = (sources / "accounts" / "accounts.csv").read_text().splitlines()[1].split(",")[0].strip('"')
    assert warehouse_rows(settings, "select count(*) from intermediate.int_subscription_daily "
                                    f"where account_id = '{first_account}'") == [(0,)]
    assert pending_files(settings) == {}
    # late events are counted in their own day (and its month's partial), not in the day they arrived
    assert warehouse_rows(settings, late)[0][0] == before + 1
    assert warehouse_rows(settings, very_late)[0][0] == before_very_late + 1
    # the re-exported file replaced its earlier version
    stg = "staging.stg_prodops__usage_events"
    assert warehouse_rows(settings, f"select count(*) from {stg} where event_id = {dropped!r}") == [(0,)]
    assert warehouse_rows(settings, f"select occurred_at::date from {stg} where event_id = {moved!r}") \
        == [(re_exported_day - timedelta(days=5),)]
    # account health rebuilt the account-weeks whose measures changed (and those 4 weeks later), not all of them
    assert 0 < len(rebuilt_health_weeks(settings)) < warehouse_rows(settings, "select count(*) from main.account_health")[0][0] / 2
    # user feature adoption rebuilt the users whose rows can have changed (the one who moved among them), not all
    rebuilt_users = {user for user, in warehouse_rows(settings, "select user_id from intermediate.user_feature_adoption__rebuilt_users")}
    adopters = {user for user, in warehouse_rows(settings, "select distinct user_id from main.user_feature_adoption")}
    assert moved_user in rebuilt_users and 0 < len(rebuilt_users & adopters) < len(adopters)
    assert warehouse_rows(settings, f"select distinct account_id from main.user_feature_adoption "
                                    f"where user_id = '{moved_user}'") == [("acc_000004",)]
    incremental = published_content(settings)

    assert run_assets(settings).success  # nothing new
    assert published_content(settings) == incremental

    assert run_assets(settings, full_refresh=True).success
    assert published_content(settings) == incremental, "incremental marts differ from a full rebuild"


def rebuilt_health_weeks(settings):
    """The as_of_date of each account-week the last build of account_health rewrote; the record exists only
    after an incremental build, not a whole one."""
    return [day for day, in warehouse_rows(settings, "select as_of_date from intermediate.account_health__rebuilt")]


def reported_partitions(run_id: str) -> dict[str, set[str]]:
    """asset -> the partitions a run recorded as materialized."""
    reported: dict[str, set[str]] = {}
    for record in dg.DagsterInstance.get().all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = record.dagster_event.event_specific_data.materialization
        if materialization.partition:
            reported.setdefault(materialization.asset_key.to_user_string(), set()).add(materialization.partition)
    return reported


def test_new_days_and_a_late_event_rebuild_only_what_they_change_and_equal_a_full_rebuild(published):
    """The nightly case: new days (with the accounts and users the CRM gained in them) and an event 40 days
    late, in an earlier month. The incremental marts rebuild from the late event's day (or month) and keep
    the rest, which must equal a full rebuild. The partition view shows every day that holds data."""
    settings, sources = published  # built up to END
    instance = dg.DagsterInstance.get()
    file_days = {path.stem for path in (sources / "usage_events").glob("*.csv")}
    days_of = "select distinct cast(day as varchar) from intermediate.{}"
    user_days, feature_days = ({day for day, in warehouse_rows(settings, days_of.format(fact))}
                               for fact in ("int_usage_user_daily", "int_usage_feature_daily"))
    # the first build marks every landed day, not only the run's own (today's) partition
    for asset, days in ((raw_key("usage_events"), file_days), (dg.AssetKey("stg_prodops__usage_events"), user_days),
                        (dg.AssetKey("int_usage_user_daily"), user_days),
                        (dg.AssetKey("int_usage_feature_daily"), feature_days)):
        assert instance.get_materialized_partitions(asset) == days | {latest_partition()}, asset

    generate("small", SEED, sources, end=END + timedelta(days=2))
    late_day = END - timedelta(days=38)
    add_late_event(sources, late_day, "very-late-redelivery")

    outcome = run_assets(settings)
    assert outcome.success, outcome.failures
    new_files = [sources / "usage_events" / f"{name}.csv"
                 for name in (END + timedelta(days=1), END + timedelta(days=2), "very-late-redelivery")]
    # the days the new files' events happened on (late arrivals among them), in the reporting zone (UTC)
    event_days = "select distinct cast(cast(occurred_at as date) as varchar) from read_csv({}){}"
    files = [str(path) for path in new_files]
    used_days = {day for day, in duckdb.sql(event_days.format(files, " where event_name = 'feature_used'")).fetchall()}
    reported = reported_partitions(outcome.run_id)
    assert reported["raw/usage_events"] == {path.stem for path in new_files[:2]} | {latest_partition()}
    assert reported["int_usage_user_daily"] == {day for day, in duckdb.sql(event_days.format(files, "")).fetchall()} | {latest_partition()}
    assert str(late_day) in reported["int_usage_user_daily"]
    assert reported["int_usage_feature_daily"] == used_days | {latest_partition()}
    # each incremental mart records where its build began: the late event's day, or its month
    rebuilt_from = "select rebuilt_from from intermediate.{}__built_from"
    assert warehouse_rows(settings, rebuilt_from.format("account_engagement_daily")) == [(late_day,)]
    assert warehouse_rows(settings, rebuilt_from.format("product_engagement_score")) == [(late_day.replace(day=1),)]
    # a month's first-month retention is read in the next: feature adoption rebuilds from the month before
    assert warehouse_rows(settings, rebuilt_from.format("feature_adoption")) == [(late_day.replace(day=1, month=late_day.month - 1),)]
    # the account-week usage rebuilds from the late day too, and account health only account-weeks from it on
    assert warehouse_rows(settings, rebuilt_from.format("int_account_week_usage")) == [(late_day,)]
    assert all(day >= late_day for day in rebuilt_health_weeks(settings))
    incremental = published_content(settings)

    assert run_assets(settings, full_refresh=True).success
    assert published_content(settings) == incremental, "incremental marts differ from a full rebuild"
    assert warehouse_rows(settings, "select count(*) from information_schema.tables where table_name in "
                                    "('account_health__rebuilt', 'user_feature_adoption__rebuilt_users')") == [(0,)]


def test_a_backfill_rebuilds_only_its_days_and_a_new_fact_column_is_filled_on_every_day(tmp_path, pipeline_env):
    """A backfill of past days lands their files only and rebuilds those days. Then, on the same
    warehouse: a fact built by an earlier version, before it had a column
    (int_usage_user_daily without last_event_at), gets the column filled on every day at its next
    build, not only on the days that build rebuilds."""
    sources = tmp_path / "sources"
    generate("small", SEED, sources, end=END)
    settings = pipeline_env(sources)
    backfilled, later = END - timedelta(days=10), END - timedelta(days=5)
    held_back = {sources / "usage_events" / f"{day.isoformat()}.csv": tmp_path / f"{day.isoformat()}.csv"
                 for day in (backfilled, later)}
    for path, aside in held_back.items():
        path.rename(aside)
    assert run_assets(settings).success
    count = f"select coalesce(sum(events), 0) from intermediate.int_user_activity_daily where day = '{backfilled}'"
    before = warehouse_rows(settings, count)[0][0]

    for path, aside in held_back.items():
        aside.rename(path)
    outcome = run_assets(settings, partition_range=(backfilled.isoformat(), backfilled.isoformat()))
    assert outcome.success, outcome.failures
    assert warehouse_rows(settings, count)[0][0] > before
    assert pending_files(settings) == {"usage_events": [f"usage_events/{later.isoformat()}.csv"]}
    instance = dg.DagsterInstance.get()
    for key in (raw_key("usage_events"), dg.AssetKey("int_usage_user_daily")):
        assert {backfilled.isoformat(), latest_partition()} <= instance.get_materialized_partitions(key)

    fact = ("select user_id, account_id, day, events, first_event_at, last_event_at, loaded_at "
            "from intermediate.int_usage_user_daily order by all")
    complete = warehouse_rows(settings, fact)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("alter table intermediate.int_usage_user_daily drop column last_event_at")
    outcome = run_assets(settings, selection=[dg.AssetKey("int_usage_user_daily")])
    assert outcome.success, outcome.failures
    assert warehouse_rows(settings, fact) == complete


GRAIN_TESTS = {("stg_prodops__usage_events", "unique(event_id)"),
               ("int_usage_user_daily", "unique_combination(user_id,account_id,day)"),
               ("int_usage_feature_daily", "unique_combination(user_id,account_id,feature_key,day)"),
               ("int_usage_user_monthly", "unique_combination(user_id,account_id,month_start)"),
               ("int_usage_feature_monthly", "unique_combination(user_id,account_id,feature_key,month_start)"),
               ("int_subscription_daily", "unique_combination(account_id,day)")}
STAMPED = {"stg_prodops__usage_events": "staging", **{model: "intermediate" for model, _ in GRAIN_TESTS
                                                       if model.startswith("int_")}}


def grain_records(settings) -> dict[tuple[str, str], object]:
    return {(model, test): through for model, test, through in
            warehouse_rows(settings, "select model_name, test, written_through from intermediate.prodops__tested_through")}


def compiled_test(run_id: str, name: str) -> str:
    """The SQL a test ran in a run's dbt build (its file name is a hash where the test's name is long)."""
    (results,) = dbt_project.project_dir.glob(f"target/prodops_dbt_assets-{run_id[:7]}-*/run_results.json")
    (result,) = [r for r in json.loads(results.read_text())["results"] if r["unique_id"].split(".")[2] == name]
    return result["compiled_code"]


def test_grain_tests_read_the_rows_written_since_they_passed_and_find_a_new_row_repeating_an_old_key(published):
    """A night's grain tests of the large tables count the keys of the rows written since they last passed,
    over the whole table. A failed test records nothing, so the next build finds the same repeat."""
    settings, sources = published
    before = grain_records(settings)
    assert GRAIN_TESTS <= set(before)
    stamps = {model: warehouse_rows(settings, f"select max(_written_at) from {schema}.{model}")[0][0]
              for model, schema in STAMPED.items()}
    assert {before[key] for key in GRAIN_TESTS} == set(stamps.values())  # one build wrote them all

    generate("small", SEED, sources, end=END + timedelta(days=1))
    outcome = run_assets(settings)
    assert outcome.success, outcome.failures
    first_stamp = stamps["stg_prodops__usage_events"]
    assert f"_written_at > cast('{first_stamp}'" in compiled_test(outcome.run_id, "unique_stg_prodops__usage_events_event_id")
    assert f"_written_at > cast('{first_stamp}'" in compiled_test(
        outcome.run_id, "unique_combination_int_usage_user_daily_user_id__account_id__day")
    after = grain_records(settings)
    for model, schema in STAMPED.items():
        newest, oldest = warehouse_rows(settings, f"select max(_written_at), min(_written_at) from {schema}.{model}")[0]
        assert oldest == first_stamp and newest > first_stamp, model  # the new day's rows carry this build's stamp
        assert all(after[key] == newest for key in GRAIN_TESTS if key[0] == model), model

    # a build that wrote a row repeating a key of the first day: the keys written since are counted over the
    # whole table, so the old row is found; the failed tests record nothing, and the next build finds it again
    repeats = {"stg_prodops__usage_events": "event_id", "int_usage_user_daily": "user_id, account_id, day"}
    with duckdb.connect(str(settings.warehouse)) as con:
        for model, key in repeats.items():
            table = f"{STAMPED[model]}.{model}"
            con.execute(f"insert into {table} select * replace ((select max(_written_at) from {table}) + interval 1 second "
                        f"as _written_at) from {table} where _written_at = ? order by {key} limit 1", [first_stamp])
    checks = dg.AssetSelection.checks_for_assets(*map(dg.AssetKey, repeats))
    for _ in range(2):
        outcome = run_assets(settings, selection=checks)
        assert not outcome.success
        failed = " ".join(outcome.failures)
        # the line says how it failed: the one key repeated, found by the test (not an error running it)
        assert "unique_stg_prodops__usage_events_event_id failed (dbt: got 1 result, expected none)" in failed, outcome.failures
        assert "unique_combination_int_usage_user_daily_user_id__account_id__day" in failed, outcome.failures
        assert grain_records(settings) == after
    with duckdb.connect(str(settings.warehouse)) as con:
        for model, key in repeats.items():
            table = f"{STAMPED[model]}.{model}"
            con.execute(f"delete from {table} where _written_at > (select max(written_through) from "
                        f"intermediate.prodops__tested_through where model_name = '{model}')")
    assert run_assets(settings, selection=checks).success


PREVIOUS_LAYOUT = "2: on Spark, the incremental usage marts partitioned by their period"  # before the stamps


def test_a_warehouse_built_before_the_stamps_is_rebuilt_whole_once_and_its_grain_tests_read_it_whole(published):
    """A warehouse built by a version without `_written_at` (and its earlier table layout): the next build
    rebuilds every model, so every row gets that build's stamp, and the grain tests read every row before
    recording the tables. Its incremental tables take the column in one go, the subscription days included,
    whose appending build would otherwise delete rows and then alter the table in one transaction."""
    from prodops_pipeline import settings_change

    settings, sources = published
    staged = f"{STAMPED['stg_prodops__usage_events']}.stg_prodops__usage_events"
    old_events = warehouse_rows(settings, f"select count(*) from {staged}")[0][0]
    with duckdb.connect(str(settings.warehouse)) as con:
        for model, schema in STAMPED.items():
            con.execute(f"alter table {schema}.{model} drop column _written_at")
    record = settings_change.warehouse_record(settings)
    record.write_text(json.dumps({**json.loads(record.read_text()), "table layout": PREVIOUS_LAYOUT}))
    before = grain_records(settings)

    generate("small", SEED, sources, end=END + timedelta(days=1))
    outcome = run_assets(settings)
    assert outcome.success, outcome.failures
    stamps = set()
    for model, schema in STAMPED.items():
        (oldest, newest), = warehouse_rows(settings, f"select min(_written_at), max(_written_at) from {schema}.{model}")
        assert oldest == newest is not None, model  # every row, old days included, written by this build
        # so every key was read by its grain tests: all rows are stamped after the records they started from
        assert all(oldest > through for (tested, _), through in before.items() if tested == model), model
        stamps.add(newest)
    assert len(stamps) == 1
    assert {grain_records(settings)[key] for key in GRAIN_TESTS} == stamps
    earlier_loads = f"select count(*) from {staged} where loaded_at < (select max(loaded_at) from {staged})"
    assert warehouse_rows(settings, earlier_loads) == [(old_events,)]
    assert settings_change.pending_changes(settings) == []
