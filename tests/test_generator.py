"""The demo generator: deterministic, extensible day by day, and shaped like a real SaaS product."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from prodops_pipeline.demo.generator import generate
from prodops_pipeline.ingest.contract import TABLES

from .conftest import END, SEED, ground_truth

EVENT_TABLES = [t.name for t in TABLES if t.event_like]


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path, clean_sources):
    again = tmp_path / "again"
    generate("small", SEED, again, end=END)
    assert digests(again) == digests(clean_sources)


def test_another_seed_gives_other_data(tmp_path, clean_sources):
    other = tmp_path / "other"
    generate("small", SEED + 1, other, end=END)
    assert digests(other)["accounts/accounts.csv"] != digests(clean_sources)["accounts/accounts.csv"]


@pytest.mark.parametrize("dirty", [False, True])
def test_later_end_only_adds_day_files(tmp_path, dirty):
    out = tmp_path / "sources"
    generate("small", SEED, out, end=END, dirty=dirty)
    before = digests(out)
    written = {p: p.stat().st_mtime_ns for p in out.rglob("*.*")}
    generate("small", SEED, out, end=END + timedelta(days=3), dirty=dirty)
    after = digests(out)
    for name, digest in before.items():
        if name.split("/")[0] in EVENT_TABLES:
            assert after[name] == digest, f"{name} changed when the data was extended"
            if not dirty:  # untouched, as in a real delivery: the sensor and ingestion skip it by size and time
                assert (out / name).stat().st_mtime_ns == written[out / name], f"{name} was written again"
    added = sorted(set(after) - set(before))
    new_days = {(END + timedelta(days=d)).isoformat() for d in (1, 2, 3)}
    assert {Path(n).stem for n in added if n.startswith("usage_events/")} == new_days
    assert all(n.split("/")[0] in EVENT_TABLES for n in added)


def test_an_earlier_end_removes_days_that_have_not_arrived(tmp_path):
    out = tmp_path / "sources"
    generate("small", SEED, out, end=END)
    generate("small", SEED, out, end=END - timedelta(days=5))
    latest = max(p.stem for p in (out / "usage_events").glob("*.csv"))
    assert latest == (END - timedelta(days=5)).isoformat()


def test_every_table_is_written_in_a_supported_format(clean_sources):
    for table in TABLES:
        files = list((clean_sources / table.name).iterdir())
        assert files, f"no files for {table.name}"
    assert {p.suffix for p in clean_sources.rglob("*.*") if p.name != "ground_truth.json"} == {".csv", ".jsonl", ".parquet"}


@pytest.fixture(scope="module")
def demo_db(clean_sources):
    con = duckdb.connect()
    root = clean_sources
    con.execute(f"CREATE VIEW ev AS SELECT * FROM read_csv('{root}/usage_events/*.csv', all_varchar = true)")
    con.execute(f"CREATE VIEW periods AS SELECT * FROM read_csv('{root}/subscription_periods/*.csv', all_varchar = true)")
    con.execute(f"CREATE VIEW tickets AS SELECT * FROM read_json('{root}/tickets/*.jsonl')")
    con.execute(f"CREATE VIEW tev AS SELECT * FROM read_json('{root}/ticket_events/*.jsonl')")
    con.execute(f"CREATE VIEW responses AS SELECT * FROM read_csv('{root}/survey_responses/*.csv', all_varchar = true)")
    con.execute(f"CREATE VIEW deliveries AS SELECT * FROM read_parquet('{root}/survey_deliveries/*.parquet')")
    con.execute(f"CREATE VIEW contacts AS SELECT * FROM read_csv('{root}/contacts/*.csv', all_varchar = true)")
    return con


def one(con, sql):
    return con.sql(sql).fetchone()


def test_usage_has_a_weekday_rhythm_redeliveries_and_late_arrivals(demo_db):
    weekday, weekend = one(demo_db, """
        SELECT avg(n) FILTER (WHERE dow BETWEEN 1 AND 5), avg(n) FILTER (WHERE dow IN (0, 6)) FROM (
          SELECT dayofweek(CAST(occurred_at AS TIMESTAMP)) dow, CAST(occurred_at AS DATE) d, count(*) n FROM ev GROUP BY ALL)""")
    assert weekend < 0.4 * weekday
    total, distinct = one(demo_db, "SELECT count(*), count(DISTINCT event_id) FROM ev")
    assert 40_000 < total < 120_000  # "small": tens of thousands of events
    assert total > distinct, "some events must be delivered twice"
    late = one(demo_db, "SELECT count(*) FROM ev WHERE CAST(received_at AS TIMESTAMP) - CAST(occurred_at AS TIMESTAMP) > INTERVAL 1 DAY")[0]
    assert late > 0.01 * total


def test_subscriptions_have_trials_changes_and_churn(demo_db):
    trials, converted, churned = one(demo_db, """
        SELECT count(*) FILTER (WHERE is_trial = 'true'),
               count(DISTINCT account_id) FILTER (WHERE is_trial = 'false' AND account_id IN (SELECT account_id FROM periods WHERE is_trial = 'true')),
               count(*) FILTER (WHERE period_end IS NOT NULL AND is_trial = 'false' AND NOT EXISTS (
                   SELECT 1 FROM periods n WHERE n.account_id = periods.account_id AND n.period_start = periods.period_end))
        FROM periods""")
    assert trials > 0 and 0 < converted < trials
    assert churned > 0
    assert one(demo_db, "SELECT count(DISTINCT currency) FROM periods")[0] == 1


def test_tickets_have_internal_notes_reopens_and_ratings(demo_db):
    notes = one(demo_db, "SELECT count(*) FROM tev WHERE kind = 'comment' AND NOT is_public")[0]
    # tickets that left `solved` for an open status, and tickets solved more than once
    reopened = one(demo_db, """
        SELECT count(DISTINCT ticket_id) FROM (
            SELECT ticket_id, new_status, lag(new_status) OVER (PARTITION BY ticket_id ORDER BY occurred_at, event_id) AS before
            FROM tev WHERE kind = 'status_change')
        WHERE before = 'solved' AND new_status NOT IN ('solved', 'closed')""")[0]
    reopens = one(demo_db, "SELECT count(*) FROM (SELECT ticket_id FROM tev WHERE new_status = 'solved' GROUP BY 1 HAVING count(*) > 1)")[0]
    ratings = dict(demo_db.sql("SELECT satisfaction, count(*) FROM tickets GROUP BY 1").fetchall())
    assert notes > 0 and reopened > 0 and reopens > 0
    assert ratings.get("good", 0) > ratings.get("bad", 0) > 0


def test_nps_has_channels_repeats_languages_and_personal_data(demo_db):
    channels = {r[0] for r in demo_db.sql("SELECT DISTINCT channel FROM responses").fetchall()}
    assert {"in_app", "email"} <= channels
    repeats = one(demo_db, "SELECT count(*) FROM (SELECT user_id, survey_id FROM responses GROUP BY ALL HAVING count(*) > 1)")[0]
    assert repeats > 0
    assert one(demo_db, "SELECT count(*) FROM responses WHERE comment LIKE '%@%' OR comment LIKE '%+1 415%'")[0] > 0
    assert one(demo_db, "SELECT count(*) FROM responses WHERE comment SIMILAR TO '.*[äéñが].*'")[0] > 0
    assert one(demo_db, "SELECT count(*) FROM deliveries")[0] > one(demo_db, "SELECT count(*) FROM responses")[0]


def test_ground_truth_records_the_planted_parameters(clean_sources):
    truth = ground_truth(clean_sources)
    assert truth["seed"] == SEED and truth["end"] == END.isoformat()
    assert set(truth["churn"]["monthly_logo_churn_hazard_by_plan"]) == {"starter", "growth", "enterprise"}
    assert {f["adoption_probability"] for f in truth["features"].values()} >= {0.0}
    mix = truth["nps"]["mix_by_plan"]["growth"]
    assert sum(mix.values()) == pytest.approx(1.0)
    assert truth["expected_quarantine"] == {}


def test_dirty_data_plants_every_kind_of_bad_row(dirty_sources):
    expected = ground_truth(dirty_sources)["expected_quarantine"]
    reasons = {reason.split(":")[0] for by_reason in expected.values() for reason in by_reason}
    assert reasons >= {"missing required value", "invalid timestamp", "out of range", "unknown value", "orphan id",
                       "duplicate id", "invalid integer", "malformed CSV line"}
    assert set(expected) == {t.name for t in TABLES}
    assert (dirty_sources / "accounts" / "accounts.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_unknown_scale_and_out_of_range_end_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown scale"):
        generate("huge", 1, tmp_path)
    with pytest.raises(ValueError, match="--end must fall between"):
        generate("small", 1, tmp_path, end=date(2020, 1, 1))
