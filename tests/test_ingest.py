"""Ingestion: every row read is landed or quarantined with the right reason, once."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from prodops_pipeline.demo.generator import generate
from prodops_pipeline.ingest.contract import TABLES, table
from prodops_pipeline.ingest.landing import SourceError, land_table
from prodops_pipeline.ingest.raw_zone import LANDED, QUARANTINE, TableZone

from .conftest import END, SEED, ground_truth, settings_for


def land_all(settings):
    return {t.name: land_table(settings, t) for t in TABLES}


def raw(settings, name: str, part: str = LANDED) -> duckdb.DuckDBPyRelation:
    zone = TableZone(settings.raw_zone, name)
    return duckdb.sql(f"SELECT * FROM read_parquet('{zone.glob(part)}', union_by_name = true, hive_partitioning = true)")


def quarantined_by_reason(settings, name: str) -> dict[str, int]:
    zone = TableZone(settings.raw_zone, name)
    if not zone.has_data(QUARANTINE):
        return {}
    return dict(raw(settings, name, QUARANTINE).aggregate("_rule, count(*)").fetchall())


@pytest.fixture(scope="module")
def dirty_landed(dirty_sources, tmp_path_factory):
    # the dirty data plants amounts in a foreign currency: the deployment's is set, as two would be an error
    settings = settings_for(tmp_path_factory.mktemp("dirty_home"), dirty_sources, PRODOPS_CURRENCY="USD")
    return settings, land_all(settings)


def test_every_planted_bad_row_is_quarantined_with_its_reason(dirty_landed, dirty_sources):
    settings, results = dirty_landed
    expected = ground_truth(dirty_sources)["expected_quarantine"]
    for t in TABLES:
        assert quarantined_by_reason(settings, t.name) == expected.get(t.name, {}), t.name
        assert results[t.name].record.quarantined_by_reason == expected.get(t.name, {}), t.name


def test_rows_in_equal_rows_landed_plus_quarantined(dirty_landed, dirty_sources):
    settings, results = dirty_landed
    written = ground_truth(dirty_sources)["rows_written"]
    for t in TABLES:
        record = results[t.name].record
        landed = raw(settings, t.name).count("*").fetchone()[0]
        quarantined = sum(quarantined_by_reason(settings, t.name).values())
        assert record.rows_read == written[t.name] == landed + quarantined, t.name
        assert (record.rows_landed, record.rows_quarantined) == (landed, quarantined)


def test_valid_oddities_land_as_the_same_values(dirty_landed, clean_sources, tmp_path):
    """A BOM and other ISO-8601 forms of the same instant are valid input, parsed to the same UTC time."""
    settings, _ = dirty_landed
    clean = settings_for(tmp_path / "clean_home", clean_sources)
    for name in ("features", "accounts", "contacts", "usage_events"):
        land_table(clean, table(name))
    dirty_events = raw(settings, "usage_events").select("event_id, occurred_at").distinct()
    clean_events = raw(clean, "usage_events").select("event_id, occurred_at").distinct()
    assert dirty_events.except_(clean_events).count("*").fetchone()[0] == 0
    assert clean_events.except_(dirty_events).count("*").fetchone()[0] == 0
    assert raw(settings, "accounts").filter("account_id LIKE 'acc_%'").count("*").fetchone()[0] == \
        raw(clean, "accounts").count("*").fetchone()[0]


def test_quarantine_keeps_the_original_text_and_the_source_file(dirty_landed):
    settings, _ = dirty_landed
    row = raw(settings, "survey_responses", QUARANTINE).filter("_rule = 'invalid integer: score'").fetchall()
    columns = raw(settings, "survey_responses", QUARANTINE).columns
    scores = {dict(zip(columns, r))["score"] for r in row}
    assert scores <= {"ten", "7.5"} and scores
    reasons = {dict(zip(columns, r))["_reason"] for r in row}
    assert reasons <= {"invalid integer: score (got 'ten')", "invalid integer: score (got '7.5')"}
    sources = {dict(zip(columns, r))["_source_file"] for r in row}
    assert all(s.startswith("survey_responses/") for s in sources)
    broken = raw(settings, "usage_events", QUARANTINE).filter("_reason LIKE 'malformed CSV line%'").fetchall()
    assert broken and all("broken" in dict(zip(raw(settings, "usage_events", QUARANTINE).columns, r))["_raw_line"] for r in broken)


def test_landed_values_have_contract_types_in_utc(dirty_landed, dirty_sources):
    settings, _ = dirty_landed
    events = raw(settings, "usage_events")
    types = {c: str(t) for c, t in zip(events.columns, events.types)}
    assert types["occurred_at"] == "TIMESTAMP" and types["properties"] == "VARCHAR"
    # the dirty data writes some times with a +02:00 offset: each lands as its instant in UTC
    shifted = duckdb.sql(f"""SELECT event_id, occurred_at FROM read_csv('{dirty_sources}/usage_events/*.csv', all_varchar = true)
                            WHERE occurred_at LIKE '%+02:00' LIMIT 20""").fetchall()
    assert shifted
    landed = dict(events.filter(f"event_id IN ({', '.join(repr(e) for e, _ in shifted)})")
                  .select("event_id, occurred_at").fetchall())
    for event_id, text in shifted:
        local = datetime.fromisoformat(text)
        assert landed[event_id] == local.astimezone(timezone.utc).replace(tzinfo=None), (event_id, text)
    periods = raw(settings, "subscription_periods")
    ptypes = dict(zip(periods.columns, map(str, periods.types)))
    assert ptypes["mrr"].startswith("DECIMAL") and ptypes["is_trial"] == "BOOLEAN" and ptypes["period_start"] == "DATE"
    tickets = raw(settings, "tickets")
    assert str(dict(zip(tickets.columns, tickets.types))["tags"]) == "VARCHAR[]"


def test_landing_twice_lands_nothing_new(clean_sources, tmp_path):
    settings = settings_for(tmp_path / "home", clean_sources)
    first = land_all(settings)
    second = land_all(settings)
    for t in TABLES:
        assert second[t.name].record.files == [] and second[t.name].record.rows_read == 0
        assert second[t.name].record.files_unchanged == len(first[t.name].record.files)
        assert raw(settings, t.name).count("*").fetchone()[0] == first[t.name].record.rows_landed


def test_touching_a_file_without_changing_it_lands_nothing(clean_sources, copy_sources, tmp_path):
    sources = copy_sources(clean_sources)
    settings = settings_for(tmp_path / "home", sources)
    land_all(settings)
    path = next((sources / "usage_events").glob("*.csv"))
    path.touch()
    assert land_table(settings, table("usage_events")).record.files == []


def test_new_days_land_alone_and_snapshots_are_replaced(tmp_path):
    sources = tmp_path / "sources"
    generate("small", SEED, sources, end=END)
    settings = settings_for(tmp_path / "home", sources)
    land_all(settings)
    generate("small", SEED, sources, end=END + timedelta(days=2))
    results = land_all(settings)
    usage_files = results["usage_events"].record.files
    assert sorted(Path(f).stem for f in usage_files) == [(END + timedelta(days=d)).isoformat() for d in (1, 2)]
    accounts_file = (sources / "accounts" / "accounts.csv").read_text().count("\n") - 1
    assert raw(settings, "accounts").count("*").fetchone()[0] == accounts_file  # replaced, not appended
    events_on_disk = duckdb.sql(f"SELECT count(*) FROM read_csv('{sources}/usage_events/*.csv')").fetchone()[0]
    assert raw(settings, "usage_events").count("*").fetchone()[0] == events_on_disk


def test_an_unreadable_file_is_named_and_the_rest_still_lands(clean_sources, copy_sources, tmp_path):
    sources = copy_sources(clean_sources)
    (sources / "survey_deliveries" / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    (sources / "survey_deliveries" / "notes.xlsx").write_bytes(b"not ours")
    settings = settings_for(tmp_path / "home", sources)
    for parent in ("accounts", "contacts"):
        land_table(settings, table(parent))
    result = land_table(settings, table("survey_deliveries"))
    problems = {u.path.name: u.problem for u in result.unreadable}
    assert set(problems) == {"broken.parquet", "notes.xlsx"}
    assert "unsupported file type .xlsx" in problems["notes.xlsx"]
    good_files = len(list((sources / "survey_deliveries").glob("2*.parquet")))
    assert len(result.record.files) == good_files
    assert result.record.rows_landed == result.record.rows_read > 0
    again = land_table(settings, table("survey_deliveries"))
    assert again.record.files == [] and {u.path.name for u in again.unreadable} == set(problems)


def test_a_file_that_is_not_utf8_is_unreadable(clean_sources, copy_sources, tmp_path):
    sources = copy_sources(clean_sources)
    (sources / "contacts" / "latin1.csv").write_bytes("user_id,account_id,créé\n".encode("latin-1"))
    settings = settings_for(tmp_path / "home", sources)
    land_table(settings, table("accounts"))
    result = land_table(settings, table("contacts"))
    assert [u.path.name for u in result.unreadable] == ["latin1.csv"]
    assert "UTF-8" in result.unreadable[0].problem


def test_a_missing_required_folder_is_a_clear_error_and_an_optional_one_is_fine(clean_sources, copy_sources, tmp_path):
    sources = copy_sources(clean_sources)
    shutil.rmtree(sources / "tickets")
    shutil.rmtree(sources / "survey_deliveries")
    settings = settings_for(tmp_path / "home", sources)
    with pytest.raises(SourceError, match="tickets.*does not exist"):
        land_table(settings, table("tickets"))
    assert land_table(settings, table("survey_deliveries")).record.rows_read == 0


def write_source(root: Path, name: str, filename: str, text: str) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / filename).write_text(text)


def test_column_case_extra_columns_source_time_zone_and_tag_forms(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "ACCOUNT_ID,Account_Name,Created_At,Tier\nacc_1,Acme,2026-01-01,gold\n")
    write_source(sources, "tickets", "t.jsonl", "\n".join(json.dumps(r) for r in [
        {"Ticket_ID": "t1", "account_id": "acc_1", "created_at": "2026-03-01 09:00:00", "status": "Open",
         "tags": '["Bug", "vip"]'},
        {"ticket_id": "t2", "account_id": "acc_1", "created_at": "2026-03-01T09:00:00Z", "status": "new",
         "tags": "bug, feature_request"},
        {"ticket_id": "t3", "account_id": "acc_1", "created_at": "2026-03-01T09:00:00+01:00", "status": "new",
         "tags": ["bug"]},
    ]) + "\n")
    settings = settings_for(tmp_path / "home", sources, PRODOPS_SOURCE_TIMEZONE="Europe/Berlin")
    land_table(settings, table("accounts"))
    result = land_table(settings, table("tickets"))
    assert result.record.rows_landed == 3, result.record.quarantined_by_reason
    accounts = raw(settings, "accounts").fetchall()
    assert "tier" in raw(settings, "accounts").columns and accounts[0][0] == "acc_1"
    rows = {r[0]: r for r in raw(settings, "tickets").select("ticket_id, strftime(created_at, '%H:%M'), status, tags").fetchall()}
    assert rows["t1"][1] == "08:00"  # no offset: read in the source zone (CET), stored in UTC
    assert rows["t2"][1] == "09:00" and rows["t3"][1] == "08:00"
    assert rows["t1"][2] == "open"
    assert rows["t1"][3] == ["bug", "vip"] and rows["t2"][3] == ["bug", "feature_request"] and rows["t3"][3] == ["bug"]


def test_a_foreign_currency_and_an_unknown_score_are_quarantined(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n")
    write_source(sources, "subscription_periods", "p.csv",
                 "period_id,subscription_id,account_id,plan,is_trial,mrr,currency,period_start\n"
                 "p1,s1,acc_1,growth,false,100,usd,2026-01-01\np2,s1,acc_1,growth,false,100,EUR,2026-02-01\n"
                 "p3,s1,acc_1,growth,no,1e3,USD,2026-03-01\np4,s1,acc_1,growth,no,-5,USD,2026-04-01\n")
    settings = settings_for(tmp_path / "home", sources, PRODOPS_CURRENCY="usd")
    land_table(settings, table("accounts"))
    result = land_table(settings, table("subscription_periods"))
    assert result.record.rows_landed == 2
    assert result.record.quarantined_by_reason == {"currency is not the deployment currency USD: currency": 1,
                                                   "out of range: mrr": 1}
    assert dict(raw(settings, "subscription_periods", QUARANTINE).select("period_id, _reason").fetchall()) == {
        "p2": "currency is not the deployment currency USD: currency (got 'EUR')",
        "p4": "out of range: mrr (got '-5'; expected at least 0)"}


def test_a_quarantine_reason_names_each_broken_rule_with_the_value_and_what_was_expected(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n")
    write_source(sources, "tickets", "t.csv", "ticket_id,account_id,created_at,status,priority,satisfaction\n"
                 "t1,acc_1,yesterday,open,medium,great\n"  # three rules broken
                 "t2,acc_404,2026-03-01T09:00:00Z,open,high,\n"  # an account that does not exist
                 "t3,acc_1,2026-03-01T09:00:00Z,open,low,\n")
    settings = settings_for(tmp_path / "home", sources)
    land_table(settings, table("accounts"))
    record = land_table(settings, table("tickets")).record
    assert (record.rows_read, record.rows_landed, record.rows_quarantined) == (3, 1, 2)
    reasons = dict(raw(settings, "tickets", QUARANTINE).select("ticket_id, _reason").fetchall())
    assert reasons == {
        "t1": "invalid timestamp: created_at (got 'yesterday'); "
              "unknown value: priority (got 'medium'; expected low, normal, high, urgent); "
              "unknown value: satisfaction (got 'great'; expected good, bad, offered, unoffered)",
        "t2": "orphan id: account_id (got 'acc_404'; expected an existing accounts.account_id)",
    }
    # counted by the rules, not by each value, so that a thousand bad dates are one line of `prodops status`
    assert record.quarantined_by_reason == {
        "invalid timestamp: created_at; unknown value: priority; unknown value: satisfaction": 1,
        "orphan id: account_id": 1}


def test_without_the_setting_the_currency_is_the_one_the_data_uses_and_two_are_an_error(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n")
    write_source(sources, "subscription_periods", "p.csv",
                 "period_id,subscription_id,account_id,plan,is_trial,mrr,currency,period_start\n"
                 "p1,s1,acc_1,growth,false,100,eur,2026-01-01\np2,s1,acc_1,growth,false,90,EUR,2026-02-01\n")
    settings = settings_for(tmp_path / "home", sources)
    assert settings.currency is None
    land_table(settings, table("accounts"))
    assert land_table(settings, table("subscription_periods")).record.rows_landed == 2

    write_source(sources, "subscription_periods", "q.csv",
                 "period_id,subscription_id,account_id,plan,is_trial,mrr,currency,period_start\n"
                 "p3,s1,acc_1,growth,false,100,USD,2026-03-01\n")
    with pytest.raises(SourceError, match=r"2 currencies \(EUR, USD\) and PRODOPS_CURRENCY is not set"):
        land_table(settings, table("subscription_periods"))


def test_duplicates_across_files_keep_the_first_and_redelivered_events_are_kept(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "1.csv", "account_id,account_name,created_at\nacc_1,First,2026-01-01\n")
    write_source(sources, "accounts", "2.csv", "account_id,account_name,created_at\nacc_1,Second,2026-01-01\nacc_2,Two,2026-01-01\n")
    settings = settings_for(tmp_path / "home", sources)
    result = land_table(settings, table("accounts"))
    assert result.record.quarantined_by_reason == {"duplicate id: account_id": 1}
    assert sorted(raw(settings, "accounts").select("account_name").fetchall()) == [("First",), ("Two",)]
    write_source(sources, "contacts", "c.csv", "user_id,account_id,created_at\nu1,acc_1,2026-01-01\n")
    write_source(sources, "features", "f.csv", "feature_key,feature_name,is_core,released_at\nf,F,true,2026-01-01\n")
    line = "e1,2026-02-01T10:00:00Z,u1,acc_1,page_viewed\n"
    write_source(sources, "usage_events", "d.csv", "event_id,occurred_at,user_id,account_id,event_name\n" + line + line)
    for name in ("contacts", "features"):
        land_table(settings, table(name))
    assert land_table(settings, table("usage_events")).record.rows_landed == 2  # deduplicated in staging, not here


def test_properties_must_be_a_json_object(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n")
    write_source(sources, "contacts", "c.csv", "user_id,account_id,created_at\nu1,acc_1,2026-01-01\n")
    write_source(sources, "features", "f.csv", "feature_key,feature_name,is_core,released_at\nf,F,true,2026-01-01\n")
    properties = {"object": '{"a": 1}', "padded": ' \t{"a": [1, 2]} ', "on_two_lines": '\n{"a": 1}', "empty": "",
                  "array": "[1, 2]", "text": '"{}"', "number": "42", "broken": '{"a": 1', "two": '{} {}'}
    lines = [f'{name},2026-02-01T10:00:00Z,u1,acc_1,page_viewed,"{text.replace(chr(34), chr(34) * 2)}"'
             for name, text in properties.items()]
    write_source(sources, "usage_events", "d.csv",
                 "event_id,occurred_at,user_id,account_id,event_name,properties\n" + "\n".join(lines) + "\n")
    settings = settings_for(tmp_path / "home", sources)
    for name in ("accounts", "contacts", "features", "usage_events"):
        land_table(settings, table(name))
    landed = dict(raw(settings, "usage_events").select("event_id, properties").fetchall())
    assert landed == {"object": '{"a": 1}', "padded": '\t{"a": [1, 2]}', "on_two_lines": '\n{"a": 1}', "empty": None}
    assert dict(raw(settings, "usage_events", QUARANTINE).select("event_id, _rule").fetchall()) == {
        name: "invalid json object: properties" for name in ("array", "text", "number", "broken", "two")}


def test_a_reused_event_id_is_a_redelivery_when_the_content_is_the_same_and_a_collision_otherwise(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n")
    write_source(sources, "contacts", "c.csv", "user_id,account_id,created_at\nu1,acc_1,2026-01-01\nu2,acc_1,2026-01-01\n")
    write_source(sources, "features", "f.csv", "feature_key,feature_name,is_core,released_at\nf1,One,true,2026-01-01\n")
    header = "event_id,occurred_at,received_at,user_id,account_id,event_name\n"
    write_source(sources, "usage_events", "2026-03-01.csv", header
                 + "e1,2026-03-01T10:00:00Z,2026-03-01T10:00:05Z,u1,acc_1,page_viewed\n"
                 # the same event again, received later: a redelivery, landed and deduplicated downstream
                 + "e1,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,u1,acc_1,page_viewed\n"
                 # another user's event under the same id, received later in the same file: a collision
                 + "e2,2026-03-01T12:00:00Z,2026-03-01T12:00:09Z,u2,acc_1,page_viewed\n"
                 + "e2,2026-03-01T09:00:00Z,2026-03-01T12:00:01Z,u1,acc_1,session_started\n")
    settings = settings_for(tmp_path / "home", sources)
    for name in ("accounts", "contacts", "features"):
        land_table(settings, table(name))
    first = land_table(settings, table("usage_events")).record
    reused = "event_id reused with other content (an earlier row with this event_id differs)"
    assert (first.rows_read, first.rows_landed, first.quarantined_by_reason) == (4, 3, {reused: 1})
    # the earlier-received e2 (09:00, u1) wins, whatever its place in the file
    assert raw(settings, "usage_events").filter("event_id = 'e2'").select("user_id").fetchall() == [("u1",)]

    # a later load reusing a landed id for another day's event: quarantined, the landed row stays
    write_source(sources, "usage_events", "2026-03-05.csv", header
                 + "e1,2026-03-05T08:00:00Z,2026-03-05T08:00:01Z,u2,acc_1,page_viewed\n"
                 + "e1,2026-03-01T10:00:00Z,2026-03-05T08:00:02Z,u1,acc_1,page_viewed\n")
    second = land_table(settings, table("usage_events")).record
    assert (second.rows_read, second.rows_landed, second.quarantined_by_reason) == (2, 1, {reused: 1})
    quarantined = raw(settings, "usage_events", QUARANTINE).filter("_reason LIKE 'event_id reused%'")
    assert sorted(quarantined.select("event_id, user_id, occurred_at").fetchall()) == [
        ("e1", "u2", "2026-03-05T08:00:00Z"), ("e2", "u2", "2026-03-01T12:00:00Z")]


def test_a_header_without_a_required_column_is_said_once_with_the_columns_it_has(tmp_path):
    sources = tmp_path / "sources"
    write_source(sources, "accounts", "a.csv", "account_id,account_name,created_at\nacc_1,Acme,2026-01-01\n")
    write_source(sources, "subscription_periods", "good.csv",
                 "period_id,subscription_id,account_id,plan,is_trial,mrr,currency,period_start\n"
                 "p1,s1,acc_1,growth,false,100,USD,2026-01-01\n")
    write_source(sources, "subscription_periods", "renamed.csv",
                 "period_id,subscription_id,account_id,plan_tier,is_trial,mrr,currency,period_start\n"
                 "p2,s1,acc_1,growth,false,100,USD,2026-02-01\np3,s1,acc_1,growth,false,110,USD,2026-03-01\n")
    settings = settings_for(tmp_path / "home", sources)
    land_table(settings, table("accounts"))
    record = land_table(settings, table("subscription_periods")).record
    assert (record.rows_read, record.rows_landed, record.rows_quarantined) == (3, 1, 2)
    assert record.quarantined_by_reason == {
        "file lacks required column plan (its columns: period_id, subscription_id, account_id, plan_tier, is_trial, "
        "mrr, currency, period_start; closest: plan → plan_tier?)": 2}
