"""Account health: the rules file, the mart's grain, a rule change reaching the scores, and the
`prodops health` command in every format. The metric logic itself is in dbt unit tests
(dbt_project/models/*/health/_health__models.yml), run by test_publish."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from prodops_pipeline.cli import main
from prodops_pipeline.health.report import parse_week, week_label
from prodops_pipeline.health.rules import RulesError, load_rules
from prodops_pipeline.runner import run_assets
from prodops_pipeline.settings import DEFAULT_HEALTH_RULES


def test_the_default_rules_are_valid_and_cover_what_the_spec_names():
    rules = load_rules(DEFAULT_HEALTH_RULES)
    inputs = {r.input for r in rules.rules}
    assert {"seat_utilization", "usage_trend", "core_adoption", "latest_account_nps", "days_to_renewal"} <= inputs
    assert inputs & {"open_tickets", "bad_csat_90d", "urgent_tickets_90d"}  # support pain
    assert any(r.critical for r in rules.rules)
    assert rules.bands.yellow_min < rules.bands.green_min


@pytest.mark.parametrize("change, message", [
    (lambda d: d["rules"][0].update(input="seat_use"), "rules.0.input"),
    (lambda d: d["rules"][0].update(warn=0.1), "warn (0.1) must be at or above poor (0.5)"),
    (lambda d: d["rules"].append(dict(d["rules"][0])), "rule names must be unique: seat_utilization repeated"),
    (lambda d: [r.update(weight=0) for r in d["rules"]], "at least one rule needs a weight above 0"),
    (lambda d: d["bands"].update(yellow_min=90), "yellow_min (90) must not exceed green_min (75)"),
    (lambda d: d["rules"][0].update(operator="=="), "rules.0.operator"),
    (lambda d: d["rules"][0].update(wieght=3), "rules.0.wieght: Extra inputs are not permitted"),
])
def test_a_bad_rules_file_is_one_clear_error_naming_the_file(tmp_path, change, message):
    document = yaml.safe_load(DEFAULT_HEALTH_RULES.read_text())
    change(document)
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_a_missing_or_broken_rules_file_is_a_clear_error(tmp_path):
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "absent.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("rules: [\n")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(broken)


def test_iso_weeks_are_read_and_written_as_their_sunday():
    assert parse_week("2026-W43") == date(2026, 10, 25)
    assert week_label(date(2026, 10, 25)) == "2026-W43"
    assert week_label(parse_week("2020-W53")) == "2020-W53"
    for bad in ("2026-43", "2026-W54", "last week"):
        with pytest.raises(ValueError):
            parse_week(bad)


def test_the_grain_is_every_paying_or_trialing_account_on_every_sunday(published):
    settings, _ = published
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        expected = set(con.sql("""
            select s.account_id, s.day from intermediate.int_subscription_daily as s
            where (s.is_paying or s.is_trialing) and dayofweek(s.day) = 0
              and s.day >= (select min(day) from intermediate.int_usage_user_daily)""").fetchall())
        built = con.sql("select account_id, as_of_date from account_health").fetchall()
        deleted = {r[0] for r in con.sql("select account_id from intermediate.int_accounts where is_deleted").fetchall()}
        unexplained = con.sql("select count(*) from account_health where is_at_risk and risk_reasons = ''").fetchone()[0]
    assert len(built) == len(set(built)) and set(built) == expected and expected
    assert not deleted & {a for a, _ in built}
    assert unexplained == 0


def test_changing_a_rule_changes_the_scores_at_the_next_run(published, tmp_path, monkeypatch):
    settings, _ = published
    rules = tmp_path / "my_rules.yml"
    rules.write_text(yaml.safe_dump({
        "bands": {"green_min": 100, "yellow_min": 100},
        "rules": [{"name": "seats", "input": "seat_utilization", "label": "seats used", "operator": "<",
                   "poor": 0.3, "weight": 1, "critical": False}],
    }))
    monkeypatch.setenv("PRODOPS_HEALTH_RULES", str(rules))
    outcome = run_assets(settings)
    assert outcome.success, outcome.failures
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        rows = con.sql("select seat_utilization, health_score, health_band, is_at_risk, risk_reasons from account_health").fetchall()

    def expected(utilization):
        if utilization is None or utilization >= 0.3:  # no seats: the only rule has no value, nothing speaks against
            return 100.0, "green", False, ""
        shown = Decimal(100 * utilization).quantize(Decimal("0.1"), ROUND_HALF_UP)  # as people round
        return 0.0, "red", True, f"seats used {shown.normalize():f}% (under 30%)"

    assert [tuple(r[1:]) for r in rows] == [expected(r[0]) for r in rows]
    assert 0 < sum(r[1] == 0 for r in rows) < len(rows)


def test_health_prints_a_weeks_risks_in_every_format(published):
    settings, _ = published
    runner = CliRunner()
    table = runner.invoke(main, ["health"])
    assert table.exit_code == 0, table.output
    assert "At risk in 2026-W" in table.output and "Band worse than 4 weeks earlier" in table.output

    report = json.loads(runner.invoke(main, ["health", "--format", "json"]).output)
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        last_complete = con.sql("select max(as_of_date) from account_health where is_complete").fetchone()[0]
        at_risk = con.sql(f"""select account_id from account_health where as_of_date = date '{last_complete}' and is_at_risk
                              order by health_score, mrr desc, account_id""").fetchall()
    assert report["as_of_date"] == last_complete.isoformat() and report["week"] == week_label(last_complete)
    assert [r["account_id"] for r in report["at_risk"]] == [a for (a,) in at_risk]
    assert all(r["risk_reasons"] for r in report["at_risk"])
    scores = [r["health_score"] for r in report["at_risk"]]
    assert scores == sorted(scores)
    order = {"green": 0, "yellow": 1, "red": 2}
    assert all(order[r["health_band"]] > order[r["health_band_4w_ago"]] for r in report["worsened"])

    earlier = runner.invoke(main, ["health", "--week", week_label(date.fromordinal(last_complete.toordinal() - 28)),
                                   "--format", "csv"])
    assert earlier.exit_code == 0, earlier.output
    lines = earlier.output.splitlines()
    assert lines[0].startswith("list,account_id,account_name,plan,health_score")
    assert {line.split(",")[0] for line in lines[1:]} <= {"at_risk", "worsened"}

    outside = runner.invoke(main, ["health", "--week", "2019-W10"])
    assert outside.exit_code == 1 and "the published weeks run from" in outside.output
    malformed = runner.invoke(main, ["health", "--week", "W10"])
    assert malformed.exit_code == 2 and "not an ISO week" in malformed.output


def test_backtest_reports_the_flags_against_later_churn(published):
    result = CliRunner().invoke(main, ["health", "--backtest", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["account_weeks"] > 0 and figures["horizon_days"] == 90
    assert 0 < figures["at_risk_share"] < 1 and 0 <= figures["churns_flagged_share"] <= 1
    assert figures["lift"] == pytest.approx(figures["churn_rate_at_risk"] / figures["churn_rate_other"])
