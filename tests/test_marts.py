"""The marts on a year of medium demo data, built end to end through Dagster: the spec's identities
hold, exclusions and redaction hold, and the numbers recover what the generator planted."""

from __future__ import annotations

import json
import math

import duckdb
import pytest
from click.testing import CliRunner

from prodops_pipeline.cli import main
from prodops_pipeline.demo.generator import generate
from prodops_pipeline.runner import run_assets

from .conftest import built_once, ground_truth, shared_folder


@pytest.fixture(scope="module")
def built(tmp_path_factory, worker_id):
    # the tests only read the build: it is made once for every test worker
    root = shared_folder(tmp_path_factory, worker_id, "medium-marts")
    sources, home = root / "sources", root / "home"
    mp = pytest.MonkeyPatch()
    for name, value in (("PRODOPS_HOME", home), ("PRODOPS_SOURCES", sources), ("DAGSTER_HOME", home / "dagster")):
        mp.setenv(name, str(value))
    from prodops_pipeline.settings import Settings

    settings = Settings.from_env()
    with built_once(root) as todo:
        if todo:
            generate("medium", 42, sources)
            outcome = run_assets(settings)
            assert outcome.success, outcome.failures
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    yield settings, con, ground_truth(sources)
    con.close()
    mp.undo()


def rows(con, sql):
    return con.sql(sql).fetchall()


def test_every_mart_of_the_contract_is_built_with_rows(built):
    _, con, _ = built
    for mart in ("feature_adoption", "user_feature_adoption", "account_engagement_daily", "product_engagement_score",
                 "nps_responses", "nps_summary", "account_nps", "nps_transitions", "logo_retention", "mrr_movements",
                 "revenue_retention", "cohort_retention", "ticket_metrics", "support_summary", "account_health"):
        assert rows(con, f"select count(*) from main.{mart}")[0][0] > 0, mart


def test_the_identities_of_the_spec_hold(built):
    _, con, _ = built
    assert rows(con, "select count(*) from nps_summary where promoters + passives + detractors <> responses") == [(0,)]
    assert rows(con, """select count(*) from logo_retention
                        where customers_at_end <> customers_at_start - churned_customers + new_customers""") == [(0,)]
    assert rows(con, """select count(*) from revenue_retention where ending_mrr <>
                        starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr""") == [(0,)]
    assert rows(con, """select count(*) from revenue_retention r join revenue_retention p
                        on p.month = r.month - interval 1 month where r.starting_mrr <> p.ending_mrr""") == [(0,)]
    assert rows(con, "select count(*) from account_engagement_daily where not (dau <= wau and wau <= mau)") == [(0,)]


def test_incomplete_periods_have_no_rates(built):
    _, con, _ = built
    assert rows(con, "select count(*) from logo_retention where not is_complete and retention_rate is not null") == [(0,)]
    assert rows(con, "select count(*) from revenue_retention where not is_complete and (grr is not null or nrr is not null)") == [(0,)]
    # the demo year ends on 31 October at 23:5x: October itself is still open
    assert rows(con, "select max(period_start) from logo_retention where period_type = 'month' and is_complete")[0][0].isoformat() == "2026-09-01"


def test_internal_users_and_deleted_accounts_are_excluded(built):
    settings, con, _ = built
    raw = f"read_csv('{settings.sources}/contacts/*.csv', all_varchar = true)"
    internal = {r[0] for r in rows(con, f"select user_id from {raw} where is_internal = 'true'")}
    deleted = {r[0] for r in rows(con, f"select account_id from read_csv('{settings.sources}/accounts/*.csv', all_varchar = true) where is_deleted = 'true'")}
    assert internal and deleted
    for mart, column in (("user_feature_adoption", "user_id"), ("nps_responses", "user_id")):
        assert not internal & {r[0] for r in rows(con, f"select distinct {column} from {mart}")}, mart
    for mart in ("account_engagement_daily", "ticket_metrics", "mrr_movements", "account_nps"):
        assert not deleted & {r[0] for r in rows(con, f"select distinct account_id from {mart}")}, mart


def test_comments_keep_their_words_without_personal_data(built):
    _, con, _ = built
    redacted = rows(con, "select comment from nps_responses where comment like '%[email]%' or comment like '%[phone]%'")
    assert redacted
    assert rows(con, r"select count(*) from nps_responses where regexp_matches(comment, '[\w.]+@[\w.]+|\d{3} \d{4}')") == [(0,)]
    assert any(len(c.split()) > 4 for (c,) in redacted)


def test_adoption_recovers_the_planted_probabilities(built):
    _, con, truth = built
    observed = dict(rows(con, """
        with tenure as (select user_id, min(day) as first_day, max(day) as last_day
                        from intermediate.int_user_activity_daily group by user_id),
        eligible as (select user_id from tenure where first_day <= date '2026-03-01' and last_day >= date '2026-10-01')
        select f.feature_key, count(distinct u.user_id)::double / (select count(*) from eligible)
        from intermediate.int_features as f
        left join user_feature_adoption as u on u.feature_key = f.feature_key and u.user_id in (select user_id from eligible)
        group by f.feature_key"""))
    for key, planted in truth["features"].items():
        if key not in observed:
            continue
        if planted["adoption_probability"] == 0:
            assert observed[key] == 0, key
        # mature, still available, quickly adopted: the long-run share is the planted probability
        elif (planted["released_day_offset"] <= -60 and planted["retired_day_offset"] is None
              and planted["median_days_to_adopt"] <= 30):
            assert observed[key] == pytest.approx(planted["adoption_probability"], abs=0.08), key
    planted_order = sorted(observed, key=lambda k: truth["features"][k]["adoption_probability"])
    observed_order = sorted(observed, key=observed.get)
    # rank agreement over every feature (Spearman), late releases included
    n = len(planted_order)
    d2 = sum((planted_order.index(k) - observed_order.index(k)) ** 2 for k in observed)
    assert 1 - 6 * d2 / (n * (n * n - 1)) > 0.85


def test_churn_by_plan_recovers_the_planted_hazard(built):
    _, con, truth = built
    observed = dict(rows(con, """
        select m.plan, count(*) filter (where mv.movement = 'churn')::double / count(*) filter (where mv.previous_mrr > 0)
        from mrr_movements as mv
        join intermediate.int_account_months as m on m.account_id = mv.account_id and m.month_start = mv.month - interval 1 month
        where mv.month between date '2025-12-01' and date '2026-09-01'
        group by m.plan"""))
    planted = truth["churn"]["monthly_logo_churn_hazard_by_plan"]
    for plan, hazard in planted.items():
        # one billing step a month; accounts that survive are slightly healthier than average
        assert observed[plan] == pytest.approx(hazard, rel=0.35), plan
    assert observed["starter"] > observed["growth"] > observed["enterprise"]


def test_nps_by_plan_recovers_the_planted_mix(built):
    _, con, truth = built
    for plan, promoters, detractors, responses in rows(con, """
            select dimension_value, sum(promoters)::double / sum(responses), sum(detractors)::double / sum(responses), sum(responses)
            from nps_summary where period_type = 'quarter' and dimension = 'plan' and is_complete group by 1"""):
        mix = truth["nps"]["mix_by_plan"][plan]
        tolerance = 3 * math.sqrt(0.25 / responses) + 0.03  # sampling error plus the activity tilt
        assert promoters == pytest.approx(mix["promoter"], abs=tolerance), plan
        assert detractors == pytest.approx(mix["detractor"], abs=tolerance), plan


def test_query_reads_the_marts_in_every_format(built):
    settings, _, _ = built
    runner = CliRunner()
    result = runner.invoke(main, ["query", "select period_type, count(*) as n from logo_retention group by 1 order by 1",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["period_type"] for r in json.loads(result.output)] == ["month", "quarter", "year"]
    assert runner.invoke(main, ["query", "select 1 as x", "--format", "csv"]).output == "x\n1\n"
    bad = runner.invoke(main, ["query", "select * from no_such_mart"])
    assert bad.exit_code == 1 and "no_such_mart" in bad.output and "Traceback" not in bad.output


def test_health_flags_foretell_churn(built):
    """The planted fading before churn shows in the default rules' flags. The issue's targets (lift 3x,
    60% of churns flagged, at most 20% of weeks at risk) are reported in README as measured; this guards
    the measured level (lift 1.9x, 57% flagged, 19.6% at risk on this data) against regressions."""
    settings, _, _ = built
    from prodops_pipeline.health.report import backtest

    figures = backtest(settings)
    assert figures["churns"] > 100 and figures["account_weeks"] > 20_000
    assert figures["lift"] > 1.6
    assert figures["churns_flagged_share"] > 0.5
    assert figures["at_risk_share"] <= 0.2


def test_the_demo_headlines_read_the_published_marts(built):
    settings, con, _ = built
    from prodops_pipeline.marts import headline_numbers

    lines = dict(headline_numbers(settings))
    assert len(lines) == 7 and "no complete period yet" not in lines.values()
    week, at_risk, accounts = rows(con, """
        select strftime(as_of_date, '%G-W%V'), count(*) filter (where is_at_risk), count(*) from account_health
        where as_of_date = (select max(as_of_date) from account_health where is_complete) group by as_of_date""")[0]
    assert lines["Accounts at risk, latest complete week"].startswith(f"{at_risk} of {accounts} (")
    assert lines["Accounts at risk, latest complete week"].endswith(f"{week})")
