"""Source systems: the selection, vendor shapes landed and mapped to one account, and parity with our layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from prodops_pipeline.demo.systems import write_systems
from prodops_pipeline.ingest.landing import SourceError, land_table
from prodops_pipeline.ingest.systems import SYSTEMS, SystemsError, resolve, selected_tables
from prodops_pipeline.ingest.warehouse import WarehouseError, extract, postgres_extension
from prodops_pipeline.settings import Settings, SettingsError
from prodops_pipeline.settings_change import LANDING_RULES
from prodops_pipeline.status import unmapped_accounts

from .conftest import END, published_content, settings_for
from .postgres import needs_postgres, postgres_server

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "external"  # Fivetran's seeds, copied
PRESET = "pendo,salesforce,zendesk,qualtrics,stripe"  # the first preset
WAREHOUSE_PRESET = "salesforce,zendesk,qualtrics,stripe"  # PRESET but Pendo, whose bucket tables are slow to load into PostgreSQL
PRODOPS = Path(sys.executable).parent / "prodops"


def test_one_system_per_kind_and_ours_for_the_rest():
    assert resolve(("prodops",)) == dict.fromkeys(("usage", "crm", "subscriptions", "tickets", "surveys"), "prodops")
    chosen = Settings.from_env({"PRODOPS_SYSTEMS": " Zendesk, stripe "}).kind_systems
    assert chosen == {"usage": "prodops", "crm": "prodops", "subscriptions": "stripe", "tickets": "zendesk",
                      "surveys": "prodops"}
    names = {t.name for t in selected_tables(chosen)}
    assert {"zendesk__ticket", "stripe__subscription_history", "accounts", "usage_events"} <= names
    assert not names & {"tickets", "ticket_events", "subscription_periods"}


@pytest.mark.parametrize("value, said", [
    ("zendsk", "unknown system 'zendsk'; choose from prodops, pendo, salesforce, hubspot, stripe, zendesk, qualtrics"),
    ("salesforce,hubspot", "salesforce and hubspot both serve crm: name one system per kind"),
    ("hubspot,zendesk", "hubspot and zendesk both serve tickets: name one system per kind"),
])
def test_a_bad_selection_is_one_line_naming_the_choices(value, said):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"PRODOPS_SYSTEMS": value})
    assert str(error.value).startswith(f"PRODOPS_SYSTEMS={value!r}: ") and said in str(error.value)


def test_pendo_serves_surveys_only_where_no_survey_tool_is_named():
    assert resolve(("pendo", "salesforce"))["surveys"] == "pendo"
    assert resolve(("pendo", "qualtrics"))["surveys"] == resolve(("qualtrics", "pendo"))["surveys"] == "qualtrics"
    assert resolve(("pendo", "qualtrics"))["usage"] == "pendo"


def test_a_crm_serves_subscriptions_where_no_billing_system_is_named_and_naming_ours_keeps_ours():
    assert resolve(("salesforce", "zendesk"))["subscriptions"] == "salesforce"
    assert resolve(("hubspot", "pendo"))["subscriptions"] == "hubspot"
    assert resolve(("salesforce", "stripe"))["subscriptions"] == resolve(("stripe", "hubspot"))["subscriptions"] == "stripe"
    assert resolve(("prodops", "salesforce", "pendo")) == {"usage": "pendo", "crm": "salesforce", "subscriptions": "prodops",
                                                          "tickets": "prodops", "surveys": "prodops"}
    names = {t.name for t in selected_tables(resolve(("salesforce",)))}
    assert {"salesforce__opportunity", "salesforce__opportunity_line_item"} <= names and "subscription_periods" not in names


def test_a_system_serving_two_kinds_serves_both():
    assert resolve(("hubspot", "pendo", "stripe")) == {"usage": "pendo", "crm": "hubspot", "subscriptions": "stripe",
                                                       "tickets": "hubspot", "surveys": "pendo"}
    with pytest.raises(SystemsError, match="hubspot and zendesk both serve tickets"):
        resolve(("hubspot", "zendesk"))


def _csv(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_zendesk_accounts_map_by_field_then_file_and_the_rest_are_quarantined(clean_sources, tmp_path):
    """Organizations map by external_id (or the configured field), else by the mapping file; a ticket of an
    organization that maps to none, or to two accounts in the file, is quarantined with the key named."""
    sources = tmp_path / "sources"
    shutil.copytree(clean_sources / "accounts", sources / "accounts")
    shutil.copytree(clean_sources / "contacts", sources / "contacts")
    z = sources / "zendesk"
    _csv(z / "organization" / "o.csv", "id,name,external_id,crm_code\n1,A,acc_000001,\n2,B,,acc_000002\n3,C,,\n4,D,,\n5,E,acc_404,\n")
    _csv(z / "user" / "u.csv", "id,role,external_id\n10,end-user,usr_0000001\n11,agent,\n")
    _csv(z / "ticket" / "t.csv", "id,created_at,organization_id,requester_id,status\n"
         "t1,2026-01-01 10:00:00,1,10,open\nt2,2026-01-01 10:00:00,2,10,hold\nt3,2026-01-01 10:00:00,3,10,solved\n"
         "t4,2026-01-01 10:00:00,4,10,new\nt5,2026-01-01 10:00:00,5,10,new\nt6,2026-01-01 10:00:00,,10,new\n")
    mapping = tmp_path / "map.csv"
    _csv(mapping, "system,key,account_id\nzendesk,3,acc_000003\nzendesk,4,acc_000004\nzendesk,4,acc_000005\nstripe,3,acc_000009\n")

    def land(**extra):
        settings = settings_for(tmp_path / f"home{len(extra)}", sources, PRODOPS_SYSTEMS="zendesk",
                                PRODOPS_ACCOUNT_MAP=str(mapping), **extra)
        for table in selected_tables(settings.kind_systems):
            if table.name in ("accounts", "contacts", "zendesk__organization", "zendesk__user", "zendesk__ticket"):
                result = land_table(settings, table)
        assert result.record.rows_read == result.record.rows_landed + result.record.rows_quarantined
        zone = settings.raw_zone / "zendesk__ticket"
        with duckdb.connect() as con:
            landed = dict(con.sql(f"select id, _account_id from read_parquet('{zone}/landed/*/*.parquet')").fetchall())
            reasons = dict(con.sql(f"select id, _reason from read_parquet('{zone}/quarantine/*/*.parquet')").fetchall())
        return landed, reasons

    landed, reasons = land()
    assert landed == {"t1": "acc_000001", "t3": "acc_000003"}
    expected = ("expected a zendesk organization whose external_id is a CRM account id, or a row of the account "
                "mapping file")
    assert reasons == {
        "t2": f"unmapped account: organization_id (got '2'; {expected})",
        "t4": f"unmapped account: organization_id (got '4'; {expected})",  # two accounts in the file: neither
        "t5": f"unmapped account: organization_id (got '5'; {expected})",  # acc_404 is no CRM account
        "t6": f"unmapped account: organization_id (got ''; {expected})",
    }
    landed, _ = land(PRODOPS_ZENDESK_ACCOUNT_FIELD="crm_code")
    assert landed == {"t2": "acc_000002", "t3": "acc_000003"}

    mapping.write_text("tool,id,account\nzendesk,3,acc_000003\n")
    with pytest.raises(SourceError, match=r"PRODOPS_ACCOUNT_MAP=.*map.csv must be a CSV with the columns system, key, "
                                          r"account_id \(its columns: tool, id, account\)"):
        land(PRODOPS_ZENDESK_ACCOUNT_FIELD="external_id", PRODOPS_TIMEZONE="UTC")
    with pytest.raises(SourceError, match=r"PRODOPS_ACCOUNT_MAP=.*absent.csv must be a CSV with the columns system, "
                                          r"key, account_id \(not a readable CSV file\)"):
        mapping = tmp_path / "absent.csv"
        land(PRODOPS_ZENDESK_ACCOUNT_FIELD="external_id", PRODOPS_TIMEZONE="Europe/Paris")


def _prodops(args: list[str], home: Path, sources: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRODOPS_", "DAGSTER_"))}
    env.update(PRODOPS_HOME=str(home), PRODOPS_SOURCES=str(sources), DAGSTER_HOME=str(home / "dagster"), **extra)
    return subprocess.run([str(PRODOPS), *args], env=env, capture_output=True, text=True, timeout=900)


def _land(settings: Settings, names: tuple[str, ...]) -> dict:
    return {t.name: land_table(settings, t).record for t in selected_tables(settings.kind_systems) if t.name in names}


def test_respondents_map_by_one_contacts_e_mail_and_a_missing_pendo_field_is_one_line(tmp_path):
    """A Qualtrics respondent is the one CRM contact with that e-mail, in any case; an e-mail two contacts
    share, an empty one and a preview response are quarantined with their reasons. A Pendo account field
    its account_history lacks is a clear error naming the setting's meaning."""
    sources = tmp_path / "sources"
    _csv(sources / "accounts" / "a.csv", "account_id,account_name,created_at\nacc_1,A,2025-01-01T00:00:00Z\n")
    _csv(sources / "contacts" / "c.csv", "user_id,account_id,email,created_at\nu1,acc_1,Ann@Example.com,2025-01-01T00:00:00Z\n"
         "u2,acc_1,team@example.com,2025-01-01T00:00:00Z\nu3,acc_1,team@example.com,2025-01-01T00:00:00Z\n")
    _csv(sources / "qualtrics" / "survey_response" / "r.csv", "id,survey_id,recipient_email,distribution_channel,recorded_date\n"
         "R_1,SV_1, ann@example.COM ,email,2026-01-01 10:00:00\nR_2,SV_1,team@example.com,email,2026-01-01 10:00:00\n"
         "R_3,SV_1,,anonymous,2026-01-01 10:00:00\nR_4,SV_1,ann@example.com,preview,2026-01-01 10:00:00\n")
    settings = settings_for(tmp_path / "home", sources, PRODOPS_SYSTEMS="qualtrics")
    load = _land(settings, ("accounts", "contacts", "qualtrics__survey_response"))["qualtrics__survey_response"]
    assert (load.rows_read, load.rows_landed) == (4, 1)
    zone = settings.raw_zone / "qualtrics__survey_response"
    with duckdb.connect() as con:
        assert con.sql(f"select id, _user_id from read_parquet('{zone}/landed/*/*.parquet')").fetchall() == [("R_1", "u1")]
        reasons = dict(con.sql(f"select id, _rule from read_parquet('{zone}/quarantine/*/*.parquet')").fetchall())
        said = con.sql(f"select _reason from read_parquet('{zone}/quarantine/*/*.parquet') where id = 'R_2'").fetchone()[0]
    assert reasons == {"R_2": "unmapped user: recipient_email", "R_3": "unmapped user: recipient_email",
                       "R_4": "unknown value: distribution_channel"}
    assert "@" not in said and "e-mail of exactly one CRM contact" in said  # the reason never repeats the e-mail

    _csv(sources / "pendo" / "account_history" / "a.csv", "id,last_updated_at\nacc_1,2025-01-01 00:00:00\n")
    _csv(sources / "pendo" / "event" / "e.csv", "visitor_id,account_id,timestamp,num_events\nu1,acc_1,2026-01-01 10:00:00,3\n")
    settings = settings_for(tmp_path / "home_pendo", sources, PRODOPS_SYSTEMS="pendo",
                            PRODOPS_PENDO_ACCOUNT_FIELD="agent_salesforceaccountid")
    with pytest.raises(SourceError, match=r"pendo__event: cannot map its accounts: expected a pendo account whose "
                                          r"agent_salesforceaccountid \(latest version\) is a CRM account id"):
        _land(settings, ("accounts", "pendo__account_history", "pendo__event"))


def test_an_answer_to_an_nps_question_that_is_no_score_is_quarantined_and_other_answers_land(tmp_path):
    """Pendo and Qualtrics land the answers to every question in one column: an answer to an NPS poll or
    to its survey's NPS question lands marked `_nps_answer` when it is a whole number from 0 to 10, and is
    quarantined with its reason otherwise; answers to other questions land whatever they say."""
    sources = tmp_path / "sources"
    _csv(sources / "accounts" / "a.csv", "account_id,account_name,created_at\nacc_1,A,2025-01-01T00:00:00Z\n")
    _csv(sources / "contacts" / "c.csv", "user_id,account_id,email,created_at\nu1,acc_1,ann@example.com,2025-01-01T00:00:00Z\n")
    _csv(sources / "qualtrics" / "question" / "q.csv", "id,survey_id,question_type,selector\n"
         "QID1,SV_1,MC,NPS\nQID2,SV_1,TE,ML\nQID1,SV_2,MC,SAVR\n")
    _csv(sources / "qualtrics" / "survey_response" / "r.csv", "id,survey_id,recipient_email,distribution_channel,recorded_date\n"
         + "".join(f"{r},{survey},ann@example.com,email,2026-01-01 10:00:00\n"
                   for r, survey in (("R_1", "SV_1"), ("R_2", "SV_1"), ("R_3", "SV_1"), ("R_4", "SV_2"))))
    _csv(sources / "qualtrics" / "question_response" / "a.csv", "response_id,question_id,value\n"
         "R_1,QID1, 9 \nR_1,QID2,11\nR_2,QID1,n/a\nR_3,QID1,\nR_4,QID1,Very likely\n")
    settings = settings_for(tmp_path / "home", sources, PRODOPS_SYSTEMS="qualtrics")
    load = _land(settings, ("accounts", "contacts", "qualtrics__question", "qualtrics__survey_response",
                            "qualtrics__question_response"))["qualtrics__question_response"]
    assert load.quarantined_by_reason == {"not an NPS score: value": 2}
    zone = settings.raw_zone / "qualtrics__question_response"
    with duckdb.connect() as con:
        landed = con.sql(f"select response_id, question_id, value, _nps_answer from read_parquet('{zone}/landed/*/*.parquet') "
                         "order by all").fetchall()
        said = con.sql(f"select _reason from read_parquet('{zone}/quarantine/*/*.parquet') order by response_id").fetchall()
    assert landed == [("R_1", "QID1", "9", True), ("R_1", "QID2", "11", False), ("R_4", "QID1", "Very likely", False)]
    assert said == [("not an NPS score: value (got 'n/a'; expected a whole number from 0 to 10, as the answer to its "
                     "survey's NPS question)",), ("not an NPS score: value (got ''; expected a whole number from 0 to 10, "
                                                 "as the answer to its survey's NPS question)",)]

    _csv(sources / "pendo" / "account_history" / "a.csv", "id,last_updated_at\nacc_1,2025-01-01 00:00:00\n")
    _csv(sources / "pendo" / "poll" / "p.csv", "id,attribute_type,attribute_follow_up\nnps,NPSRating,why\nwhy,FreeForm,\n")
    _csv(sources / "pendo" / "poll_event" / "e.csv", "poll_id,guide_id,visitor_id,account_id,timestamp,poll_response\n"
         "nps,g1,u1,acc_1,2026-01-01 10:00:00,7\nnps,g1,u1,acc_1,2026-01-02 10:00:00,ten\nwhy,g1,u1,acc_1,2026-01-02 10:00:09,ten\n")
    settings = settings_for(tmp_path / "home_pendo", sources, PRODOPS_SYSTEMS="pendo")
    load = _land(settings, ("accounts", "contacts", "pendo__account_history", "pendo__poll", "pendo__poll_event"))["pendo__poll_event"]
    assert (load.rows_landed, load.quarantined_by_reason) == (2, {"not an NPS score: poll_response": 1})


def test_a_table_landed_under_older_landing_rules_is_judged_again_once(tmp_path):
    """After an upgrade whose landing rules changed, a raw table judged under the old ones is judged again
    (its rows land as the new rules say, never beside rows landed under the old), then not again."""
    sources = tmp_path / "sources"
    _csv(sources / "accounts" / "a.csv", "account_id,account_name,created_at\nacc_1,A,2025-01-01T00:00:00Z\n")
    settings = settings_for(tmp_path / "home", sources)
    accounts = next(t for t in selected_tables(settings.kind_systems) if t.name == "accounts")
    assert land_table(settings, accounts).record.rejudged_because == []
    zone_record = settings.raw_zone / "accounts" / "judged_with.json"
    judged = json.loads(zone_record.read_text())
    zone_record.write_text(json.dumps({**judged, "landing rules": "1"}))
    again = land_table(settings, accounts).record
    assert again.rejudged_because == [f"landing rules '1' → {LANDING_RULES!r}"] and again.rows_landed == 1
    assert land_table(settings, accounts).record.rejudged_because == []


# What the vendors' shapes cannot carry, each mart's SQL reading both builds the same way around it:
# - Pendo counts events in hourly buckets: a feature's first and last use are known to the hour, and whether
#   a surveyed user was active before a survey was shown can move by that hour;
# - Pendo has no retirement date: a retired feature stays in feature_adoption's months after it retired;
# - Qualtrics lands no record of an in-product survey being shown: no in-app deliveries, so response
#   rates and delivered users differ wherever in-app surveys count;
# - Pendo's polls are shown in the product only: every response through them is in-app.
HOURLY = {
    "user_feature_adoption": "select * replace (date_trunc('hour', first_used_at) as first_used_at, "
                             "date_trunc('hour', last_used_at) as last_used_at) from {db}.user_feature_adoption",
    "feature_adoption": "select * from {db}.feature_adoption where not (feature_key = 'legacy_charts' and month >= date '2026-03-31')",
}
PRESETS = {
    PRESET: {
        "exceptions": {**HOURLY, "nps_summary": "select * exclude (response_rate, delivered_users) from {db}.nps_summary"},
        "quarantined": {"zendesk__ticket": {"unmapped account: organization_id": 2},
                        "pendo__event": {"orphan id: visitor_id; unmapped account: account_id": 3},
                        "qualtrics__survey_response": {"unmapped user: recipient_email": 1},
                        "qualtrics__question_response": {"orphan id: response_id": 1}},
        "unmapped": {"pendo": [{"key": "pendo_trial_workspace", "rows": 3}],
                     "zendesk": [{"key": "org_without_account", "rows": 2}]},
    },
    "hubspot,pendo,stripe": {  # the second preset: Pendo's polls serve surveys
        "exceptions": {
            **HOURLY,
            "nps_responses": "select * exclude (channel) from {db}.nps_responses",
            "nps_summary": "select * replace (case when dimension = 'user_activity' then null else response_rate end "
                           "as response_rate, case when dimension = 'user_activity' then null else delivered_users end "
                           "as delivered_users) from {db}.nps_summary where dimension <> 'channel'",
        },
        "quarantined": {"hubspot__ticket": {"unmapped account: id": 2},
                        "pendo__event": {"orphan id: visitor_id; unmapped account: account_id": 3}},
        "unmapped": {"pendo": [{"key": "pendo_trial_workspace", "rows": 3}],
                     "hubspot": [{"key": "hs_unmapped_1", "rows": 1}, {"key": "hs_unmapped_2", "rows": 1}]},
    },
}


def _published(home: Path, marts: list[str], exceptions: dict[str, str]) -> dict[str, list]:
    with duckdb.connect(str(home / "published" / "analytics.duckdb"), read_only=True) as con:
        return {m: con.sql(f"select * from ({exceptions.get(m, 'select * from {db}.' + m).format(db='main')}) "
                           "order by all").fetchall() for m in marts}


@pytest.mark.parametrize("preset", PRESETS)
def test_vendor_shapes_build_the_same_marts_as_our_layout(preset, baseline, clean_sources, tmp_path):
    """The same world written in the issue's presets' shapes, as Fivetran lands them, publishes marts equal to
    the canonical build's, every row and value but the preset's named exceptions. What the shapes plant is
    quarantined and listed: a Pendo account, a Zendesk organization and two HubSpot tickets mapped to no CRM
    account, and a Qualtrics response from an e-mail no CRM contact has (with its answer)."""
    expected = PRESETS[preset]
    sources = tmp_path / "sources"
    write_systems(clean_sources, sources, resolve(tuple(preset.split(","))), {})
    home = tmp_path / "home"
    run = _prodops(["run"], home, sources, PRODOPS_SYSTEMS=preset)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    marts = list(published_content(Settings.from_env({"PRODOPS_HOME": str(baseline / "home")})))
    vendor = _published(home, marts, expected["exceptions"])
    canonical = _published(baseline / "home", marts, expected["exceptions"])
    for mart in marts:
        assert vendor[mart] == canonical[mart], mart
    # each exception is no wider than it says
    with duckdb.connect(str(home / "published" / "analytics.duckdb"), read_only=True) as con:
        retired = con.sql("select count(*), min(month) from feature_adoption where feature_key = 'legacy_charts' "
                          "and month >= date '2026-03-31'").fetchone()
        rates = con.sql("select count(*) from nps_summary where delivered_users is not null").fetchone()[0]
        channels = {r[0] for r in con.sql("select distinct channel from nps_responses").fetchall()}
    assert retired[0] > 0 and str(retired[1]) == "2026-04-01"  # that feature's later months only
    assert rates > 0  # deliveries still give response rates
    assert channels == ({"in_app"} if "qualtrics" not in preset else {"in_app", "email", "link"})

    status = json.loads(_prodops(["status", "--format", "json"], home, sources, PRODOPS_SYSTEMS=preset).stdout)
    counts = {t["table"]: t["last_load"] for t in status["tables"]}
    assert {t: c["quarantined_by_reason"] for t, c in counts.items() if c["rows_quarantined"]} == expected["quarantined"]
    assert {u["system"]: u["top"] for u in status["unmapped_accounts"]} == expected["unmapped"]
    said = " ".join(_prodops(["status"], home, sources, PRODOPS_SYSTEMS=preset).stdout.split())
    settings = settings_for(home, sources, PRODOPS_SYSTEMS=preset)
    for unmapped in status["unmapped_accounts"]:  # what each table's keys need, in its system's words
        needs = SYSTEMS[unmapped["system"]].account_map_of(unmapped["table"]).describe(settings)
        assert f"Each needs {needs}" in said, said[-3000:]


DBT = ("import sys; from prodops_pipeline.settings import Settings; "
       "from prodops_pipeline.transform.project import export_settings; export_settings(Settings.from_env()); "
       "from prodops_pipeline.transform.assets import dbt_resource; dbt_resource().cli(sys.argv[1:]).wait()")


def _dbt_run(model: str, home: Path, sources: Path, **extra: str) -> None:
    """Build one model over what landed, as a run would (in its own process: dbt reads the settings' environment)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRODOPS_", "DAGSTER_"))}
    env.update(PRODOPS_HOME=str(home), PRODOPS_SOURCES=str(sources), **extra)
    built = subprocess.run([sys.executable, "-c", DBT, "run", "--select", model], env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]


PERIOD = ("select account_id, plan, cast(seats as bigint) as seats, cast(mrr as decimal(18, 4)) as mrr, "
          "cast(is_trial as boolean) as is_trial, upper(currency) as currency, cast(period_start as date) as period_start, "
          "{end} as period_end, cast(renewal_date as date) as renewal_date from {periods} order by all")


@pytest.mark.parametrize("crm, quarantined", [
    ("salesforce", {"salesforce__opportunity": {"orphan id: account_id": 1}}),
    ("hubspot", {"hubspot__deal": {"unmapped account: deal_id": 1}}),
])
def test_a_crm_serves_the_same_subscription_periods_as_our_layout(crm, quarantined, clean_sources, tmp_path):
    """Where no billing system is named, the CRM's won opportunities or deals are the subscriptions: the same
    world written as Salesforce opportunities (amount over term, seats and plan from line items) or HubSpot deals
    (hs_mrr, custom properties, the company by association) stages to our periods, value for value. A contract
    always ends: a period still running here ends on its renewal, after the data's last day. The marts read
    periods only through these rows (int_subscription_periods). What the writers plant is quarantined."""
    sources = tmp_path / "sources"
    write_systems(clean_sources, sources, resolve((crm,)), {})
    home = tmp_path / "home"
    settings = settings_for(home, sources, PRODOPS_SYSTEMS=crm)
    loads = {t.name: land_table(settings, t).record for t in selected_tables(settings.kind_systems)
             if t.system == crm and t.kind in ("crm", "subscriptions")}
    assert {name: load.quarantined_by_reason for name, load in loads.items() if load.rows_quarantined} == quarantined
    model = f"stg_{crm}__subscription_periods"
    _dbt_run(model, home, sources, PRODOPS_SYSTEMS=crm)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        staged = con.sql(PERIOD.format(periods=f"staging.{model}", end=f"case when period_end <= date '{END}' then period_end end")).fetchall()
        ours = con.sql(PERIOD.format(periods=f"read_csv('{clean_sources}/subscription_periods/*.csv', all_varchar = true)",
                                     end="cast(period_end as date)")).fetchall()
    assert len(ours) > 100 and any(p[4] for p in ours) and any(p[7] is None for p in ours)  # trials, and periods running
    assert staged == ours
    if crm == "hubspot":
        assert unmapped_accounts(settings) == [{"system": "hubspot", "table": "hubspot__deal", "column": "deal_id", "keys": 1,
                                                "top": [{"key": "deal_without_company", "rows": 1}]}]


def _fivetran_seeds(out: Path, systems: list[str]) -> None:
    """The bundled Fivetran seeds as files under <system>/<table>/ (seed names drop `_data` and `sf_`)."""
    for system in systems:
        for seed in (FIXTURES / f"fivetran_{system}").glob("*.csv"):
            table = seed.stem.removesuffix("_data").removeprefix("sf_")
            (out / system / table).mkdir(parents=True, exist_ok=True)
            shutil.copy(seed, out / system / table / seed.name)


def test_fivetran_seeds_land_and_build_through_the_preset(tmp_path):
    """Fivetran's own seeds of each system: every file is read, every row landed or quarantined with its
    reason, the staging models build on what landed, and the mapping file maps the accounts no field maps.
    Their ids do not join across tools (the test gives the CRM the Pendo seed's visitors as contacts), so
    nothing is published, and the run says why."""
    sources = tmp_path / "sources"
    _fivetran_seeds(sources, PRESET.split(","))
    account = "0015500000Xyy06AAB"  # a Salesforce account of the seed
    keys = (("stripe", "subscription_history_data", "customer_id"), ("zendesk", "ticket_data", "organization_id"),
            ("pendo", "event", "account_id"), ("pendo", "feature_event", "account_id"), ("pendo", "poll_event", "account_id"))
    with duckdb.connect() as con:
        mapped = {(system, r[0]) for system, seed, column in keys for r in con.sql(
            f"select distinct {column} from read_csv('{FIXTURES}/fivetran_{system}/{seed}.csv', all_varchar = true) "
            f"where {column} is not null").fetchall()}
        # the seed's Pendo visitors as contacts of that account: the seed's own contacts name no landed account
        visitors = sorted({r[0] for table in ("event", "feature_event") for r in con.sql(
            f"select distinct visitor_id from read_csv('{FIXTURES}/fivetran_pendo/{table}.csv', all_varchar = true)").fetchall()})
    _csv(sources / "salesforce" / "contact" / "pendo_visitors.csv",
         "id,account_id\n" + "".join(f"{visitor},{account}\n" for visitor in visitors))
    mapping = tmp_path / "map.csv"
    mapping.write_text("system,key,account_id\n" + "".join(f"{system},{key},{account}\n" for system, key in sorted(mapped)))
    home = tmp_path / "home"
    extra = dict(PRODOPS_SYSTEMS=PRESET, PRODOPS_ACCOUNT_MAP=str(mapping), PRODOPS_CURRENCY="USD",
                 PRODOPS_QUARANTINE_MAX_RATE="1")
    run = _prodops(["run"], home, sources, **extra)
    assert run.returncode == 1
    said = " ".join(run.stdout.split())
    assert "not published: no row of qualtrics__survey_response, qualtrics__question_response" in said, said[-2000:]
    assert "Traceback" not in run.stdout + run.stderr

    status = json.loads(_prodops(["status", "--format", "json"], home, sources, **extra).stdout)
    loads = {t["table"]: t["last_load"] for t in status["tables"]}
    for name, load in loads.items():
        assert load["unreadable"] == [], name
        assert load["rows_read"] == load["rows_landed"] + load["rows_quarantined"], name
    for name in ("salesforce__account", "zendesk__organization", "zendesk__user", "stripe__customer", "stripe__plan",
                 "stripe__subscription_history"):
        assert loads[name]["rows_landed"] > 0, name
    assert "unmapped account: customer_id" not in loads["stripe__subscription_history"]["quarantined_by_reason"]
    assert set(loads["stripe__price"]["quarantined_by_reason"]) == {"currency is not the deployment currency USD: currency"}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        accounts = con.sql("select account_id, account_name from staging.stg_salesforce__accounts").fetchall()
        periods = con.sql("select account_id, is_trial, mrr from staging.stg_stripe__subscription_periods").fetchall()
        tickets = con.sql("select count(*) from staging.stg_zendesk__tickets").fetchone()[0]
        not_deleted = con.sql(f"select count(*) from read_parquet('{home}/raw/zendesk__ticket/landed/*/*.parquet') "
                              "where status <> 'deleted'").fetchone()[0]
    assert len(accounts) == 10 and (account, "Eric's Test") in accounts
    assert periods and all(p[0] == account for p in periods)
    assert loads["zendesk__ticket"]["rows_landed"] > 0 and tickets == not_deleted
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        buckets = con.sql("select sum(event_count), sum(feature_use_count) from staging.stg_pendo__usage_events").fetchone()
        features = con.sql("select count(*) from staging.stg_pendo__features").fetchone()[0]
    with duckdb.connect() as con:
        landed = [con.sql(f"select sum(num_events) from read_parquet('{home}/raw/pendo__{t}/landed/*/*.parquet')").fetchone()[0]
                  for t in ("event", "feature_event")]
    assert loads["pendo__event"]["rows_landed"] == 5 and buckets == (54, landed[1]) and landed[0] == 54, buckets
    assert features == 4  # the seed's five feature versions, one feature twice
    assert set(loads["qualtrics__survey_response"]["quarantined_by_reason"]) <= {
        "unmapped user: recipient_email", "unknown value: distribution_channel"}


def test_pendo_poll_seeds_land_with_their_reasons(tmp_path):
    """Pendo's polls serve surveys where no survey tool is named: their seeds land by the same rules (the
    staging SQL over them is unit-tested: test_every_dbt_unit_test_passes)."""
    sources = tmp_path / "sources"
    _fivetran_seeds(sources, ["pendo", "salesforce"])
    settings = settings_for(tmp_path / "home", sources, PRODOPS_SYSTEMS="pendo,salesforce")
    loads = {t.name: land_table(settings, t).record for t in selected_tables(settings.kind_systems)
             if t.system != "prodops"}
    assert {"pendo__poll", "pendo__poll_event", "pendo__guide_event"} <= set(loads)
    for name, load in loads.items():
        assert load.rows_read == load.rows_landed + load.rows_quarantined, name
    assert loads["pendo__poll"].rows_landed == 3
    # the seed's answers name a poll its poll table lacks, and visitors and accounts its CRM does not have
    assert loads["pendo__poll_event"].quarantined_by_reason == {
        "orphan id: poll_id; orphan id: visitor_id; unmapped account: account_id": 3}
    assert loads["pendo__guide_event"].quarantined_by_reason == {"orphan id: visitor_id": 5}


def test_opportunity_and_deal_seeds_land_with_their_reasons_and_won_opportunities_stage(tmp_path):
    """Where a CRM serves subscriptions, its seeds land by the same rules. Salesforce's opportunities name
    accounts its account seed lacks: given those accounts, each won opportunity not deleted stages as one
    contract from its close date, for the default 12 months, its MRR a twelfth of its amount (an amount-less
    one has none). HubSpot's deals
    have no stage and no company association (the seed's associations name companies it lacks)."""
    sources = tmp_path / "sources"
    _fivetran_seeds(sources, ["salesforce", "hubspot"])
    copied = sources / "salesforce" / "opportunity" / "sf_opportunity_data.csv"
    seed = f"read_csv('{FIXTURES}/fivetran_salesforce/sf_opportunity_data.csv', all_varchar = true)"
    with duckdb.connect() as con:
        accounts = [r[0] for r in con.sql(f"select distinct account_id from {seed} order by 1").fetchall()]
        # the seed marks every opportunity deleted: all but one are not, here
        con.execute(f"copy (select * replace (case when id = '006q000000HdPzpAAF' then is_deleted else 'false' end as is_deleted) "
                    f"from {seed}) to '{copied}' (header)")
        won = con.sql(f"select id, cast(close_date as date), round(coalesce(cast(amount as decimal(18, 4)) / 12, 0), 4) "
                      f"from read_csv('{copied}', all_varchar = true) where is_won = 'true' and is_deleted = 'false' "
                      "order by id").fetchall()
    _csv(sources / "salesforce" / "account" / "opportunity_accounts.csv",
         "id,name\n" + "".join(f"{account},Opportunity account {n}\n" for n, account in enumerate(accounts)))
    loads = {}
    for crm in ("salesforce", "hubspot"):
        settings = settings_for(tmp_path / crm, sources, PRODOPS_SYSTEMS=crm, PRODOPS_CURRENCY="USD")
        loads |= {t.name: land_table(settings, t).record for t in selected_tables(settings.kind_systems)
                  if t.system == crm and t.kind in ("crm", "subscriptions")}
    for name, load in loads.items():
        assert load.rows_read == load.rows_landed + load.rows_quarantined and not load.unreadable, name
    assert loads["salesforce__opportunity"].rows_landed == 10 and loads["salesforce__product_2"].rows_landed == 2
    # the seed's line items belong to opportunities its opportunity seed lacks
    assert loads["salesforce__opportunity_line_item"].quarantined_by_reason == {"orphan id: opportunity_id": 10}
    assert loads["hubspot__deal_pipeline_stage"].rows_landed == 71
    assert loads["hubspot__deal_company"].quarantined_by_reason == {"orphan id: company_id": 2}
    assert loads["hubspot__deal"].quarantined_by_reason == {"missing required value: deal_pipeline_stage_id; unmapped account: deal_id": 44}

    _dbt_run("stg_salesforce__subscription_periods", tmp_path / "salesforce", sources, PRODOPS_SYSTEMS="salesforce",
             PRODOPS_CURRENCY="USD")
    with duckdb.connect(str(tmp_path / "salesforce" / "warehouse.duckdb"), read_only=True) as con:
        staged = con.sql("select subscription_id, period_start, mrr, period_end = cast(period_start + interval 12 month as date), "
                         "currency, is_trial from staging.stg_salesforce__subscription_periods order by 1").fetchall()
    assert len(won) == 4 and staged == [(i, start, mrr, True, "USD", False) for i, start, mrr in won]


def test_hubspot_seeds_land_with_their_reasons(tmp_path):
    """HubSpot's seeds land by the same rules (the staging SQL over its tables is unit-tested:
    test_every_dbt_unit_test_passes). Their ids do not join: the seed's tickets sit in a stage its stage table
    lacks and are associated with no landed company, and its contacts name their company by name only."""
    sources = tmp_path / "sources"
    _fivetran_seeds(sources, ["hubspot"])
    settings = settings_for(tmp_path / "home", sources, PRODOPS_SYSTEMS="hubspot")
    loads = {t.name: land_table(settings, t).record for t in selected_tables(settings.kind_systems)
             if t.system == "hubspot"}
    for name, load in loads.items():
        assert load.rows_read == load.rows_landed + load.rows_quarantined and not load.unreadable, name
    assert (loads["hubspot__company"].rows_landed, loads["hubspot__ticket_pipeline_stage"].rows_landed) == (24, 15)
    assert loads["hubspot__engagement_note"].rows_landed == 1
    (contacts,) = loads["hubspot__contact"].quarantined_by_reason
    assert contacts.startswith("file lacks required column property_associatedcompanyid") and "property_company?" in contacts
    assert loads["hubspot__ticket_company"].quarantined_by_reason == {"orphan id: company_id": 9}
    assert loads["hubspot__ticket"].quarantined_by_reason == {
        "orphan id: property_hs_pipeline_stage; unmapped account: id": 24, "unmapped account: id": 1}
    assert loads["hubspot__ticket_property_history"].quarantined_by_reason == {"orphan id: ticket_id": 15}


def _load_warehouse(url: str, files: Path, schemas: dict[str, str]) -> None:
    """The systems' files as tables of a PostgreSQL warehouse, one schema per system, as Fivetran writes them."""
    with duckdb.connect() as con:
        con.execute(f"LOAD '{postgres_extension()}'")
        con.execute(f"ATTACH '{url}' AS pg (TYPE postgres)")
        for system, schema in schemas.items():
            con.execute(f'CREATE SCHEMA pg."{schema}"')
            for folder in sorted((files / system).iterdir()):
                con.execute(f'CREATE TABLE pg."{schema}"."{folder.name}" AS '
                            f"SELECT * FROM read_csv('{folder}/*.csv', header = true, union_by_name = true)")


@needs_postgres
def test_a_warehouse_is_read_incrementally_by_sync_time(clean_sources, tmp_path):
    """The same tables read from a real PostgreSQL (the schema of a system by its name, or by the setting)
    land as the files do; the next run reads only the rows synced since, and a changed row replaces its
    earlier version. The URL's password is never shown."""
    files = tmp_path / "files"
    written = write_systems(clean_sources, files, resolve(tuple(WAREHOUSE_PRESET.split(","))), {}).rows
    home = tmp_path / "home"
    with postgres_server() as url:
        _load_warehouse(url, files, {system: system for system in WAREHOUSE_PRESET.split(",")} | {"zendesk": "zendesk_support"})
        secret_url = url.replace("postgres@", "postgres:hunter2secret@")
        extra = dict(PRODOPS_SYSTEMS=WAREHOUSE_PRESET, PRODOPS_WAREHOUSE_URL=secret_url, PRODOPS_WAREHOUSE_SCHEMAS="zendesk=zendesk_support")
        first = _prodops(["ingest"], home, files, **extra)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        loads = {t["table"]: t for t in json.loads(_prodops(["status", "--format", "json"], home, files, **extra).stdout)["tables"]}
        planted = {"zendesk/ticket": 2, "qualtrics/survey_response": 1, "qualtrics/question_response": 1}
        for name, rows in written.items():
            if "/" in name:
                landed = loads[name.replace("/", "__")]["rows_landed_total"]
                assert landed == rows - planted.get(name, 0), name
        state_file = home / "warehouse_extracts" / "zendesk" / "ticket" / "_extract.json"
        first_until = json.loads(state_file.read_text())["until"]
        newest = duckdb.sql(f"select max(_fivetran_synced)::varchar from read_csv('{files}/zendesk/ticket/*.csv')").fetchone()[0]
        assert first_until == newest

        with duckdb.connect() as con:
            con.execute(f"LOAD '{postgres_extension()}'")
            con.execute(f"ATTACH '{url}' AS pg (TYPE postgres)")
            con.execute("UPDATE pg.zendesk_support.ticket SET status = 'open', _fivetran_synced = TIMESTAMP '2026-07-01 00:00:00' "
                        "WHERE id = 'tkt_0000001'")
            con.execute("INSERT INTO pg.zendesk_support.ticket (id, created_at, organization_id, status, subject, _fivetran_synced) "
                        "VALUES ('tkt_new', TIMESTAMP '2026-06-30 20:00:00', 'org_acc_000001', 'new', 'Export fails', "
                        "TIMESTAMP '2026-07-01 00:00:01')")
        second = _prodops(["ingest"], home, files, **extra)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        organization = next(t for t in SYSTEMS["zendesk"].tables if t.name == "zendesk__organization")
        elsewhere = settings_for(tmp_path / "elsewhere", files, PRODOPS_SYSTEMS=WAREHOUSE_PRESET, PRODOPS_WAREHOUSE_URL=secret_url,
                                 PRODOPS_WAREHOUSE_SCHEMAS="zendesk=zendesk_prod")
        with pytest.raises(WarehouseError, match=r"the warehouse has no table zendesk_prod\.organization \(required "
                                                 r"zendesk table 'organization'\); set PRODOPS_WAREHOUSE_SCHEMAS"):
            extract(elsewhere, organization)
    with pytest.raises(WarehouseError, match="cannot connect to PRODOPS_WAREHOUSE_URL") as gone:
        extract(elsewhere, organization)  # the server is stopped now
    assert "hunter2secret" not in str(gone.value)
    state = json.loads(state_file.read_text())
    assert state["last"]["rows_read"] == 2 and state["last"]["since"] == first_until
    assert state["until"] == "2026-07-01 00:00:01" and state["last"]["source"] == "zendesk_support.ticket"
    with duckdb.connect() as con:
        tickets = dict(con.sql(f"select id, status from read_parquet('{home}/raw/zendesk__ticket/landed/*/*.parquet')").fetchall())
    assert len(tickets) == written["zendesk/ticket"] - 2 + 1
    assert tickets["tkt_0000001"] == "open" and tickets["tkt_new"] == "new"
    for run in (first, second):
        assert "hunter2secret" not in run.stdout + run.stderr
    assert not any("hunter2secret" in p.read_text(errors="ignore") for p in (home / "logs").glob("*"))


def test_warehouse_settings_are_checked_and_the_url_never_shown():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"PRODOPS_WAREHOUSE_URL": "mysql://me:pa55word@db/x", "PRODOPS_WAREHOUSE_SCHEMAS": "zendesk"})
    said = str(error.value)
    assert "PRODOPS_WAREHOUSE_URL must be a PostgreSQL URL" in said and "pa55word" not in said
    assert "PRODOPS_WAREHOUSE_SCHEMAS='zendesk': 'zendesk' is not system=schema" in said
    settings = Settings.from_env({"PRODOPS_WAREHOUSE_URL": "postgresql://me:pa55word@db/x",
                                  "PRODOPS_WAREHOUSE_SCHEMAS": "zendesk=zendesk_support"})
    assert "pa55word" not in repr(settings) and settings.warehouse_schemas == {"zendesk": "zendesk_support"}
    assert settings.source_root("zendesk") == settings.warehouse_extracts and settings.source_root("prodops") == settings.sources
