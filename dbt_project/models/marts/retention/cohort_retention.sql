-- One row per cohort type x cohort month x months since: user_activity cohorts by first active
-- month (retained = active in the month), account_paying cohorts by first paying month
-- (retained = paying at the month's end). Rows only for complete months.
with months as (
    select period_start as month_start, is_complete
    from {{ ref('int_calendar_periods') }}
    where period_type = 'month'
),

user_months as (
    select distinct user_id as member_id, month_start from {{ ref('int_user_activity_monthly') }}
),

paying_months as (
    select account_id as member_id, month_start from {{ ref('int_account_months') }} where is_paying
),

members as (
    select 'user_activity' as cohort_type, member_id, min(month_start) as cohort_month from user_months group by member_id
    union all
    select 'account_paying', member_id, min(month_start) from paying_months group by member_id
),

presence as (
    select 'user_activity' as cohort_type, member_id, month_start from user_months
    union all
    select 'account_paying', member_id, month_start from paying_months
),

cohort_sizes as (
    select cohort_type, cohort_month, count(*) as cohort_size from members group by cohort_type, cohort_month
),

grid as (
    select
        c.cohort_type,
        c.cohort_month,
        c.cohort_size,
        m.month_start,
        {{ dbt.datediff('c.cohort_month', 'm.month_start', 'month') }} as months_since
    from cohort_sizes as c
    inner join months as m on m.month_start >= c.cohort_month and m.is_complete
),

retained as (
    select mb.cohort_type, mb.cohort_month, p.month_start, count(*) as retained
    from members as mb
    inner join presence as p on p.cohort_type = mb.cohort_type and p.member_id = mb.member_id
    group by mb.cohort_type, mb.cohort_month, p.month_start
)

select
    cast(g.cohort_type as {{ dbt.type_string() }}) as cohort_type,
    cast(g.cohort_month as date) as cohort_month,
    cast(g.months_since as bigint) as months_since,
    cast(g.cohort_size as bigint) as cohort_size,
    cast(coalesce(r.retained, 0) as bigint) as retained,
    cast({{ safe_divide('coalesce(r.retained, 0)', 'g.cohort_size') }} as {{ type_double() }}) as retention_rate
from grid as g
left join retained as r
    on r.cohort_type = g.cohort_type and r.cohort_month = g.cohort_month and r.month_start = g.month_start
