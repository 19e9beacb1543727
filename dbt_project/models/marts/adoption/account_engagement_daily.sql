-- One row per account x day from its first activity to the high-water mark.
-- WAU and MAU count distinct users active in the 7 and 28 days ending that day: each active day
-- of a user covers the days up to its next active day or the window length, whichever is first,
-- so summing those covers per day counts every user at most once.
with activity as (
    select distinct account_id, user_id, day from {{ ref('int_user_activity_daily') }}
),

spans as (
    select
        account_id,
        user_id,
        day,
        lead(day) over (partition by account_id, user_id order by day) as next_day
    from activity
),

cover_changes as (
    select account_id, day, 1 as wau_change, 1 as mau_change from spans
    union all
    select account_id, least(coalesce(next_day, {{ dbt.dateadd('day', 7, 'day') }}), {{ dbt.dateadd('day', 7, 'day') }}), -1, 0 from spans
    union all
    select account_id, least(coalesce(next_day, {{ dbt.dateadd('day', 28, 'day') }}), {{ dbt.dateadd('day', 28, 'day') }}), 0, -1 from spans
),

changes_by_day as (
    select account_id, cast(day as date) as day, sum(wau_change) as wau_change, sum(mau_change) as mau_change
    from cover_changes
    group by account_id, cast(day as date)
),

spine as (
    select a.account_id, d.day
    from (select account_id, min(day) as first_day from activity group by account_id) as a
    inner join {{ ref('int_calendar_days') }} as d on d.day >= a.first_day
),

rolling as (
    select
        s.account_id,
        s.day,
        sum(coalesce(c.wau_change, 0)) over (partition by s.account_id order by s.day rows unbounded preceding) as wau,
        sum(coalesce(c.mau_change, 0)) over (partition by s.account_id order by s.day rows unbounded preceding) as mau
    from spine as s
    left join changes_by_day as c on c.account_id = s.account_id and c.day = s.day
)

select
    cast(r.account_id as varchar) as account_id,
    cast(r.day as date) as day,
    cast(coalesce(a.active_users, 0) as bigint) as dau,
    cast(r.wau as bigint) as wau,
    cast(r.mau as bigint) as mau,
    cast({{ safe_divide('coalesce(a.active_users, 0)', 'r.mau') }} as double) as stickiness,
    cast(coalesce(a.events, 0) as bigint) as events,
    cast(coalesce(a.features_used, 0) as bigint) as features_used
from rolling as r
left join {{ ref('int_account_activity_daily') }} as a on a.account_id = r.account_id and a.day = r.day
