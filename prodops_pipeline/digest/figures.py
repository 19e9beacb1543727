"""The numbers of one week's digest, read from the published analyst database only.

A week is an ISO week of the reporting time zone, named by its Sunday. Weekly numbers are read from
the daily and per-ticket marts; numbers the marts publish per month (retention, GRR/NRR, adoption
rates) are the latest complete month as of the week's Sunday, so "4 weeks ago" is the month that was
latest then. NPS in the digest is rolling: the 28 days ending on the Sunday, each user's latest
response counted once, with the margin of error and minimum sample of `nps_summary`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd

from ..health.report import health_week, week_label, weeks_published
from ..marts import MartsUnavailable, Query
from ..settings import Settings
from ..settings_change import dbt_var

TREND_WEEKS = 13  # a quarter of weekly points in the trend charts
NPS_WINDOW_DAYS = 28
RECENT_RELEASE_DAYS = 90
REQUEST_WINDOW_DAYS = 90
VERBATIMS = 12  # detractor comments shown; the rest are counted
FEATURE_NAMES = "select distinct feature_key, feature_name from feature_adoption"


@dataclass
class Week:
    sunday: date
    timezone: str

    @property
    def label(self) -> str:
        return week_label(self.sunday)

    @property
    def monday(self) -> date:
        return self.sunday - timedelta(days=6)

    def back(self, weeks: int) -> "Week":
        return Week(self.sunday - timedelta(weeks=weeks), self.timezone)

    def utc(self, first: date, last: date) -> tuple[datetime, datetime]:
        """The UTC instants that bound the reporting-zone days first..last (end exclusive), as the marts store time."""
        zone = ZoneInfo(self.timezone)

        def instant(day: date) -> datetime:
            return datetime.combine(day, time(), zone).astimezone(timezone.utc).replace(tzinfo=None)

        return instant(first), instant(last + timedelta(days=1))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.utc(self.monday, self.sunday)


@dataclass
class Figures:
    """Everything the digest shows, as plain values and frames; formatting is the template's."""

    week: Week
    build: dict
    currency: str | None
    nps_min_sample: int
    headlines: dict = field(default_factory=dict)
    risk: dict = field(default_factory=dict)
    adoption: dict = field(default_factory=dict)
    voice: dict = field(default_factory=dict)
    support: dict = field(default_factory=dict)


def digest_week(query: Query, settings: Settings, requested: date | None) -> Week:
    """The week asked for (its Sunday), or the last complete one; an error names the weeks there are."""
    first, last, last_complete = weeks_published(query)
    if requested is None:
        if last_complete is None:
            raise MartsUnavailable(f"no complete week published yet: the data's only week ({week_label(last)}) is still open")
        return Week(last_complete, settings.timezone)
    if not first <= requested <= (last_complete or first - timedelta(days=1)):
        span = f"{week_label(first)} to {week_label(last_complete)}" if last_complete else "none yet"
        raise MartsUnavailable(f"no complete week {week_label(requested)} in the published build: complete weeks "
                               f"run from {span}")
    return Week(requested, settings.timezone)


def read_figures(query: Query, settings: Settings, week: Week) -> Figures:
    build = json.loads(query("select build_json from _build").iloc[0]["build_json"])
    figures = Figures(week, build, build.get("currency") or settings.currency, int(dbt_var("nps_min_sample")))
    figures.headlines = _headlines(query, figures)
    figures.risk = _risk(query, settings, week)
    figures.adoption = _adoption(query, week)
    figures.voice = _voice(query, figures)
    figures.support = _support(query, week)
    return figures


def _sundays(week: Week, count: int = TREND_WEEKS) -> list[date]:
    return [week.back(k).sunday for k in reversed(range(count))]


def _activity(query: Query, sundays: list[date]) -> pd.DataFrame:
    # a Sunday's wau is the account's distinct users active in its ISO week; a user has one account
    return query("""
        select day as sunday, count(*) filter (where wau > 0) as active_accounts, coalesce(sum(wau), 0) as active_users
        from account_engagement_daily where day in (select unnest(?::date[]))
        group by day order by day""", [sundays])


def _rolling_nps(query: Query, week: Week, by: str | None = None) -> pd.DataFrame:
    """NPS over each user's latest response in the 28 days ending on the Sunday (optionally per `by`)."""
    start, end = week.utc(week.sunday - timedelta(days=NPS_WINDOW_DAYS - 1), week.sunday)
    group = f"{by}," if by else ""
    return query(f"""
        with latest as (
            select *, row_number() over (partition by user_id order by responded_at desc, response_id desc) as nth
            from nps_responses where responded_at >= ? and responded_at < ?
        ),
        counts as (
            select {group} count(*) as responses,
                   count(*) filter (where category = 'promoter') as promoters,
                   count(*) filter (where category = 'detractor') as detractors
            from latest where nth = 1 {f'group by {by}' if by else ''}
        )
        select {group} responses, promoters, detractors,
               100.0 * (promoters - detractors) / responses as nps,
               100 * 1.96 * sqrt((promoters / responses::double + detractors / responses::double
                                  - power(promoters / responses::double - detractors / responses::double, 2)) / responses)
                   as margin_of_error
        from counts""", [start, end])


def _nps_point(query: Query, week: Week, min_sample: int) -> dict:
    frame = _rolling_nps(query, week)
    row = frame.iloc[0] if len(frame) else None
    responses = int(row["responses"]) if row is not None else 0
    return {"responses": responses, "reportable": responses >= min_sample,
            "nps": float(row["nps"]) if responses else None,
            "margin_of_error": float(row["margin_of_error"]) if responses else None}


def _latest_month(query: Query, table: str, month_column: str, sunday: date, where: str = "") -> dict | None:
    """The latest complete month of a monthly mart whose last day is on or before `sunday`."""
    frame = query(f"""
        select * from {table}
        where is_complete and {month_column} + interval 1 month <= ?::date + 1 {where}
        order by {month_column} desc limit 1""", [sunday])
    return None if frame.empty else frame.iloc[0].to_dict()


def _mrr_weekly(query: Query, sundays: list[date]) -> pd.DataFrame:
    """Per week, the MRR of the accounts on its Sunday against the Sunday before, split into movements."""
    pairs = [(s - timedelta(days=7), s) for s in sundays]
    return query("""
        with pairs as (select unnest(?::date[]) as before_day, unnest(?::date[]) as sunday),
        moves as (
            select p.sunday, coalesce(b.mrr, 0) as before_mrr, coalesce(n.mrr, 0) as now_mrr
            from pairs as p
            cross join (select distinct account_id from account_health
                        where as_of_date in (select before_day from pairs union select sunday from pairs)) as a
            left join account_health as b on b.account_id = a.account_id and b.as_of_date = p.before_day
            left join account_health as n on n.account_id = a.account_id and n.as_of_date = p.sunday
        )
        select sunday,
               sum(now_mrr) as mrr,
               sum(case when before_mrr = 0 and now_mrr > 0 then now_mrr else 0 end) as new_mrr,
               sum(case when before_mrr > 0 and now_mrr > before_mrr then now_mrr - before_mrr else 0 end) as expansion_mrr,
               sum(case when now_mrr > 0 and now_mrr < before_mrr then now_mrr - before_mrr else 0 end) as contraction_mrr,
               sum(case when before_mrr > 0 and now_mrr = 0 then -before_mrr else 0 end) as churned_mrr
        from moves group by sunday order by sunday""", [[b for b, _ in pairs], [s for _, s in pairs]])


def _headlines(query: Query, figures: Figures) -> dict:
    week = figures.week
    points = {"now": week, "1w": week.back(1), "4w": week.back(4), "12w": week.back(12)}
    activity = _activity(query, _sundays(week)).set_index("sunday")
    mrr = _mrr_weekly(query, _sundays(week)).set_index("sunday")

    def at(frame: pd.DataFrame, column: str, when: Week):
        return float(frame[column].get(pd.Timestamp(when.sunday), float("nan")))

    return {
        "active_accounts": {k: at(activity, "active_accounts", w) for k, w in points.items()},
        "active_users": {k: at(activity, "active_users", w) for k, w in points.items()},
        "nps": {k: _nps_point(query, w, figures.nps_min_sample) for k, w in points.items()},
        "logo": {k: _latest_month(query, "logo_retention", "period_start", w.sunday, "and period_type = 'month'")
                 for k, w in points.items()},
        "revenue": {k: _latest_month(query, "revenue_retention", "month", w.sunday) for k, w in points.items()},
        "mrr": {k: at(mrr, "mrr", w) for k, w in points.items()},
        "activity_trend": activity.reset_index(),
        "mrr_trend": mrr.reset_index(),
        "movements_4w": mrr[["new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"]].tail(4).sum().to_dict(),
    }


def _risk(query: Query, settings: Settings, week: Week) -> dict:
    health = health_week(settings, week.sunday, query)
    bands = query("""
        select as_of_date as sunday, health_band, count(*) as accounts, sum(mrr) as mrr
        from account_health where as_of_date in (select unnest(?::date[]))
        group by all order by all""", [_sundays(week)])
    turned_red = query("""
        select n.account_id, n.account_name, n.plan, n.mrr, n.renewal_date, n.health_score, n.risk_reasons,
               coalesce(b.health_band, 'not a customer') as band_before
        from account_health as n
        left join account_health as b on b.account_id = n.account_id and b.as_of_date = ?::date - 7
        where n.as_of_date = ? and n.health_band = 'red' and coalesce(b.health_band, '') <> 'red'
        order by n.health_score, n.mrr desc, n.account_id""", [week.sunday, week.sunday])
    saves = query("""
        select n.account_id, n.account_name, n.plan, n.mrr, n.health_score, n.health_band_4w_ago, n.score_change_4w
        from account_health as n
        where n.as_of_date = ? and n.health_band = 'green' and n.health_band_4w_ago = 'red'
        order by n.mrr desc, n.account_id""", [week.sunday])
    return {"accounts": health.accounts, "at_risk": health.at_risk, "turned_red": turned_red, "saves": saves,
            "bands": bands}


def _adoption(query: Query, week: Week) -> dict:
    _, week_end = week.bounds
    released_after, _ = week.utc(week.sunday - timedelta(days=RECENT_RELEASE_DAYS - 1), week.sunday)
    recent = query("""
        with features as (
            select distinct feature_key, feature_name, released_at from feature_adoption
            where segment_type = 'all' and released_at >= ? and released_at < ?
        ),
        adopters as (
            select u.feature_key, u.user_id, u.first_used_at, u.days_to_adopt
            from user_feature_adoption as u inner join features as f on f.feature_key = u.feature_key
            where u.first_used_at < ?
        )
        select f.feature_key, f.feature_name, f.released_at, count(a.user_id) as adopters,
               quantile_cont(a.days_to_adopt, 0.5) as median_days_to_adopt
        from features as f left join adopters as a on a.feature_key = f.feature_key
        group by all order by f.released_at, f.feature_key""", [released_after, week_end, week_end])
    curves = query("""
        select u.feature_key, date_diff('day', f.released_at, u.first_used_at) // 7 as weeks_since_release,
               count(*) as new_adopters
        from user_feature_adoption as u
        inner join (select distinct feature_key, released_at from feature_adoption where segment_type = 'all') as f
            on f.feature_key = u.feature_key
        where u.feature_key in (select unnest(?::varchar[])) and u.first_used_at < ?
        group by all order by all""", [list(recent["feature_key"]), week_end])
    latest = _latest_month(query, "feature_adoption", "month", week.sunday, "and segment_type = 'all'")
    movers = pd.DataFrame()
    if latest is not None:
        movers = query("""
            select n.feature_key, n.feature_name, n.month, n.user_adoption_rate,
                   n.user_adoption_rate - b.user_adoption_rate as change
            from feature_adoption as n
            inner join feature_adoption as b
                on b.feature_key = n.feature_key and b.segment_type = 'all' and b.month = n.month - interval 1 month
            where n.segment_type = 'all' and n.is_core and n.month = ?
            order by change desc, n.feature_key""", [latest["month"]])
    return {"recent": recent, "curves": curves, "movers": movers, "month": latest["month"] if latest else None}


def _voice(query: Query, figures: Figures) -> dict:
    week = figures.week
    by_dimension = []
    for dimension in ("channel", "plan"):
        now = _rolling_nps(query, week, dimension).set_index(dimension)
        before = _rolling_nps(query, week.back(4), dimension).set_index(dimension)
        for value, row in now.sort_index().iterrows():
            earlier = before["nps"].get(value)
            by_dimension.append({
                "dimension": dimension, "value": value, "responses": int(row["responses"]),
                "nps": float(row["nps"]), "margin_of_error": float(row["margin_of_error"]),
                "reportable": int(row["responses"]) >= figures.nps_min_sample,
                "before": None if earlier is None or pd.isna(earlier) else float(earlier)})
    start, end = week.bounds
    verbatims = query("""
        select responded_at, score, channel, plan, comment from nps_responses
        where category = 'detractor' and responded_at >= ? and responded_at < ? and nullif(trim(comment), '') is not null
        order by responded_at, response_id""", [start, end])
    asked_from, _ = week.utc(week.sunday - timedelta(days=REQUEST_WINDOW_DAYS - 1), week.sunday)
    requests = query(f"""
        with names as ({FEATURE_NAMES}),
        asks as (
            select t.feature_key, t.account_id, t.created_at from ticket_metrics as t
            where t.is_feature_request and t.feature_key is not null and t.created_at >= ? and t.created_at < ?
        ),
        accounts as (select distinct feature_key, account_id from asks)
        select a.feature_key, coalesce(n.feature_name, a.feature_key) as feature_name,
               (select count(*) from asks as k where k.feature_key = a.feature_key) as requests,
               (select count(*) from asks as k where k.feature_key = a.feature_key and k.created_at >= ?) as this_week,
               count(*) as accounts, coalesce(sum(h.mrr), 0) as mrr
        from accounts as a
        left join names as n on n.feature_key = a.feature_key
        left join account_health as h on h.account_id = a.account_id and h.as_of_date = ?
        group by all order by mrr desc, requests desc, a.feature_key limit 10""", [asked_from, end, start, week.sunday])
    return {"by_dimension": by_dimension, "verbatims": verbatims, "requests": requests}


def _support(query: Query, week: Week) -> dict:
    sundays = _sundays(week)
    bounds = [Week(sunday, week.timezone).bounds for sunday in sundays]
    weekly = query("""
        with weeks as (select unnest(?::date[]) as sunday, unnest(?::timestamp[]) as starts, unnest(?::timestamp[]) as ends),
        tickets as (
            select w.sunday, t.*,
                   t.created_at >= w.starts and t.created_at < w.ends as created_in_week,
                   t.last_solved_at >= w.starts and t.last_solved_at < w.ends as solved_in_week
            from weeks as w left join ticket_metrics as t on true
        )
        select sunday,
               count(*) filter (where created_in_week) as created,
               count(*) filter (where solved_in_week) as solved,
               quantile_cont(first_reply_minutes, 0.5) filter (where created_in_week) as median_first_reply_minutes,
               count(*) filter (where solved_in_week and satisfaction = 'good') as good,
               count(*) filter (where solved_in_week and satisfaction = 'bad') as bad,
               count(*) filter (where created_in_week and is_bug) as bugs
        from tickets group by sunday order by sunday""", [sundays, [b[0] for b in bounds], [b[1] for b in bounds]])
    weekly["sunday"] = [d.date() for d in weekly["sunday"]]
    rated = weekly["good"] + weekly["bad"]
    weekly["csat"] = (weekly["good"] / rated).where(rated > 0, None)
    recent_from, _ = week.utc(week.sunday - timedelta(days=27), week.sunday)
    earlier_from, _ = week.utc(week.sunday - timedelta(days=55), week.sunday)
    _, end = week.bounds
    bugs = query(f"""
        with names as ({FEATURE_NAMES})
        select coalesce(n.feature_name, t.feature_key, 'no feature named') as feature, t.feature_key is not null as named,
               count(*) filter (where t.created_at >= ?) as last_4w,
               count(*) filter (where t.created_at < ?) as previous_4w
        from ticket_metrics as t left join names as n on n.feature_key = t.feature_key
        where t.is_bug and t.created_at >= ? and t.created_at < ?
        group by all order by named desc, last_4w desc, previous_4w desc, feature limit 11""",
                 [recent_from, recent_from, earlier_from, end])
    return {"weekly": weekly, "bugs": bugs}
