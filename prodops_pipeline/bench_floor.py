"""The DuckDB floor of `prodops bench`: the least SQL that computes the core marts straight from the
source files, in one DuckDB connection with the pipeline's memory limit. It checks nothing and keeps
no history, so it is what the engine alone costs on the same data: the full build is measured
against it. Its marts are the pipeline's in shape (feature adoption by month, account engagement with
7- and 28-day active users, NPS by month, logo retention by month, median first reply by month), not
in every rule of marts.md (no quarantine, segments, completeness or time zones). Its distinct counts are
groupings of their own, as the marts' are, so that it completes under the same memory limit at 100M events.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from .settings import Settings

FLOOR_SQL = """
create table customer_accounts as
    select account_id from read_csv('{src}/accounts/*.csv') where not is_deleted;
create table customer_users as
    select user_id from read_csv('{src}/contacts/*.csv') where not is_internal;
create table user_day as
    select e.user_id, e.account_id, cast(e.occurred_at as date) as day, count(*) as events,
           count(case when e.event_name = 'feature_used' then 1 end) as uses
    from read_csv('{src}/usage_events/*.csv', union_by_name = true) as e
    join customer_accounts using (account_id) join customer_users using (user_id)
    group by all;
create table feature_month as
    select e.feature_key, e.account_id, e.user_id, date_trunc('month', cast(e.occurred_at as date)) as month
    from read_csv('{src}/usage_events/*.csv', union_by_name = true) as e
    join customer_accounts using (account_id) join customer_users using (user_id)
    where e.event_name = 'feature_used' and e.feature_key is not null
    group by all;
create table active_month as
    with by_account as (select month, count(*) as accounts from (select distinct date_trunc('month', day) as month, account_id from user_day) group by all),
         by_user as (select month, count(*) as users from (select distinct date_trunc('month', day) as month, user_id from user_day) group by all)
    select * from by_account join by_user using (month);
create table feature_adoption as
    with by_account as (select feature_key, month, count(*) as accounts from (select distinct feature_key, month, account_id from feature_month) group by all),
         by_user as (select feature_key, month, count(*) as users from (select distinct feature_key, month, user_id from feature_month) group by all)
    select feature_key, month, f.accounts / a.accounts as account_adoption_rate, u.users / a.users as user_adoption_rate
    from by_account as f join by_user as u using (feature_key, month) join active_month as a using (month);
create table account_engagement_daily as
    with account_days as (select distinct account_id, day from user_day),
         covering as (
             select d.account_id, d.day, u.user_id, bool_or(u.day > d.day - 7) as in_7d
             from account_days as d join user_day as u
               on u.account_id = d.account_id and u.day between d.day - 27 and d.day
             group by all)
    select account_id, day, count(*) filter (where in_7d) as active_users_7d, count(*) as active_users_28d
    from covering group by all;
create table nps_monthly as
    select date_trunc('month', cast(responded_at as date)) as month, count(*) as responses,
           100.0 * (count(case when score >= 9 then 1 end) - count(case when score <= 6 then 1 end)) / count(*) as nps
    from read_csv('{src}/survey_responses/*.csv', union_by_name = true)
    join customer_accounts using (account_id) where score is not null group by all;
create table paying_month as
    select distinct p.account_id, m.month
    from read_csv('{src}/subscription_periods/*.csv') as p
    join (select distinct month from active_month) as m
      on p.period_start <= m.month and (p.period_end is null or p.period_end > m.month)
    where not p.is_trial and p.mrr > 0;
create table logo_retention as
    select s.month, count(*) as accounts_at_start, count(e.account_id) as retained,
           count(e.account_id) / count(*) as retention_rate
    from paying_month as s left join paying_month as e
      on e.account_id = s.account_id and e.month = s.month + interval 1 month
    group by all;
create table support_first_reply as
    with first_reply as (
        select ticket_id, min(occurred_at) as replied_at
        from read_json('{src}/ticket_events/*.jsonl', union_by_name = true)
        where kind = 'comment' and author_role = 'agent' and is_public = 'true' group by all)
    select date_trunc('month', cast(t.created_at as date)) as month,
           median(epoch(r.replied_at - t.created_at) / 60) as median_first_reply_minutes
    from read_json('{src}/tickets/*.jsonl', union_by_name = true) as t
    join first_reply as r using (ticket_id) join customer_accounts using (account_id)
    group by all;
"""


def duckdb_floor(settings: Settings, sources: Path) -> dict[str, float | int]:
    """Run the floor on `sources` in a scratch database; its seconds and the rows of its marts."""
    scratch = settings.home / "bench-floor.duckdb"
    scratch.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        with duckdb.connect(str(scratch), config=settings.duckdb_config()) as con:
            con.execute("set enable_progress_bar = false")
            con.execute(FLOOR_SQL.format(src=sources.as_posix()))
            seconds = time.perf_counter() - started
            rows = sum(con.execute(f"select count(*) from {mart}").fetchone()[0] for mart in
                       ("feature_adoption", "account_engagement_daily", "nps_monthly", "logo_retention", "support_first_reply"))
    finally:
        scratch.unlink(missing_ok=True)
    return {"seconds": round(seconds, 2), "mart_rows": rows}
