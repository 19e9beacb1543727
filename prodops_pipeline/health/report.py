"""Reading account health from the published analyst database: a week's at-risk accounts, the
accounts whose band got worse, and a backtest of the flags against the churn that followed them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial

import pandas as pd

from ..marts import MartsUnavailable, Query, read_query
from ..settings import Settings

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
BAND_RANK = "case {column} when 'green' then 0 when 'yellow' then 1 when 'red' then 2 end"
COLUMNS = ("account_id, account_name, plan, health_score, health_band, health_band_4w_ago, score_change_4w, "
           "mrr, renewal_date, days_to_renewal, risk_reasons")
HORIZON_DAYS = 90  # a flag is judged by the churn of the 90 days after it


def parse_week(text: str) -> date:
    """The Sunday that ends ISO week `YYYY-Www`."""
    match = WEEK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week like 2026-W43")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 7)
    except ValueError:
        raise ValueError(f"{text!r}: year {match.group(1)} has no week {match.group(2)}") from None


def week_label(sunday: date) -> str:
    year, week, _ = sunday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class HealthWeek:
    as_of_date: date
    accounts: int  # accounts paying or trialing that week
    at_risk: pd.DataFrame  # worst first
    worsened: pd.DataFrame  # band worse than 4 weeks earlier, worst first

    @property
    def week(self) -> str:
        return week_label(self.as_of_date)

    def records(self, which: str) -> list[dict]:
        """One list as plain values: dates as dates, missing values as None, MRR as a number."""
        frame = getattr(self, which).astype(object)
        frame["renewal_date"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in frame["renewal_date"]]
        frame["mrr"] = [float(m) for m in frame["mrr"]]
        return frame.where(frame.notna(), None).to_dict("records")


def weeks_published(query: Query) -> tuple[date, date, date | None]:
    """The first, the last and the last complete week (their Sundays) of the published account health."""
    bounds = query("select min(as_of_date) as first, max(as_of_date) as last, "
                                  "max(case when is_complete then as_of_date end) as last_complete from account_health")
    row = bounds.iloc[0]
    if pd.isna(row["last"]):
        raise MartsUnavailable("account_health has no rows yet: no account was paying or trialing in a week with usage data")
    complete = None if pd.isna(row["last_complete"]) else pd.Timestamp(row["last_complete"]).date()
    return pd.Timestamp(row["first"]).date(), pd.Timestamp(row["last"]).date(), complete


def health_week(settings: Settings, sunday: date | None = None, query: Query | None = None) -> HealthWeek:
    """The at-risk and worsened accounts of a week: the given one, or the last complete one."""
    query = query or partial(read_query, settings)
    first, last, last_complete = weeks_published(query)
    if sunday is None:
        if last_complete is None:
            raise MartsUnavailable(f"no complete week yet: the data's only week ({week_label(last)}) is still open")
        sunday = last_complete
    if not first <= sunday <= last:
        raise MartsUnavailable(f"no account health for {week_label(sunday)}: the published weeks run from "
                               f"{week_label(first)} to {week_label(last)}")
    day = f"date '{sunday.isoformat()}'"
    accounts = int(query(f"select count(*) as n from account_health where as_of_date = {day}").iloc[0]["n"])
    at_risk = query(f"""
        select {COLUMNS} from account_health
        where as_of_date = {day} and is_at_risk
        order by health_score, mrr desc, account_id""")
    now, then = BAND_RANK.format(column="health_band"), BAND_RANK.format(column="health_band_4w_ago")
    worsened = query(f"""
        select {COLUMNS} from account_health
        where as_of_date = {day} and health_band_4w_ago is not null and {now} > {then}
        order by {now} desc, health_score, mrr desc, account_id""")
    return HealthWeek(sunday, accounts, at_risk, worsened)


BACKTEST_SQL = """
with weeks as (
    select account_id, as_of_date, is_at_risk, mrr > 0 as is_paying from account_health
),
bounds as (
    select min(as_of_date) as first_week, max(as_of_date) as last_week from account_health
),
-- a churn: paying on one Sunday, not paying (or gone) the next
churns as (
    select before.account_id, before.as_of_date + 7 as churn_week
    from weeks as before
    cross join bounds
    left join weeks as after on after.account_id = before.account_id and after.as_of_date = before.as_of_date + 7
    where before.is_paying and not coalesce(after.is_paying, false) and before.as_of_date + 7 <= bounds.last_week
),
-- paying account-weeks whose next {horizon} days are in the data
judged as (
    select w.account_id, w.as_of_date, w.is_at_risk,
           count(c.churn_week) > 0 as churned_within_horizon
    from weeks as w
    cross join bounds
    left join churns as c
        on c.account_id = w.account_id and c.churn_week > w.as_of_date and c.churn_week <= w.as_of_date + {horizon}
    where w.is_paying and w.as_of_date + {horizon} <= bounds.last_week
    group by w.account_id, w.as_of_date, w.is_at_risk
),
-- churns with {horizon} days of history before them: was the account flagged in those days?
warned as (
    select c.account_id, c.churn_week, bool_or(coalesce(w.is_at_risk, false)) as was_flagged
    from churns as c
    cross join bounds
    left join weeks as w
        on w.account_id = c.account_id and w.as_of_date < c.churn_week and w.as_of_date >= c.churn_week - {horizon}
    where c.churn_week - {horizon} >= bounds.first_week
    group by c.account_id, c.churn_week
)
select
    (select count(*) from judged) as account_weeks,
    (select avg(case when is_at_risk then 1.0 else 0.0 end) from judged) as at_risk_share,
    (select avg(case when churned_within_horizon then 1.0 else 0.0 end) from judged where is_at_risk) as churn_rate_at_risk,
    (select avg(case when churned_within_horizon then 1.0 else 0.0 end) from judged where not is_at_risk) as churn_rate_other,
    (select count(*) from warned) as churns,
    (select avg(case when was_flagged then 1.0 else 0.0 end) from warned) as churns_flagged_share,
    (select min(as_of_date) from judged) as first_week,
    (select max(as_of_date) from judged) as last_week
"""


def backtest(settings: Settings, horizon_days: int = HORIZON_DAYS) -> dict:
    """How well the published at-risk flags foretold churn: over paying account-weeks with `horizon_days`
    of data after them, the churn rate within that horizon of flagged weeks against the others (lift),
    the share of churns flagged at least once in the horizon before them, and the share of weeks flagged."""
    row = read_query(settings, BACKTEST_SQL.format(horizon=int(horizon_days))).iloc[0]
    if not row["account_weeks"]:
        raise MartsUnavailable(f"too little history to backtest: no paying account-week has {horizon_days} days of data after it")
    rate_at_risk, rate_other = row["churn_rate_at_risk"], row["churn_rate_other"]
    lift = float(rate_at_risk / rate_other) if pd.notna(rate_at_risk) and pd.notna(rate_other) and rate_other else None

    def number(value):
        return None if pd.isna(value) else float(value)

    return {
        "horizon_days": horizon_days,
        "weeks": [week_label(pd.Timestamp(row["first_week"]).date()), week_label(pd.Timestamp(row["last_week"]).date())],
        "account_weeks": int(row["account_weeks"]),
        "at_risk_share": number(row["at_risk_share"]),
        "churn_rate_at_risk": number(rate_at_risk),
        "churn_rate_other": number(rate_other),
        "lift": lift,
        "churns": int(row["churns"]),
        "churns_flagged_share": number(row["churns_flagged_share"]),
    }
