-- One row per feature x month x segment (all, plan, industry): breadth, depth, intensity,
-- time to adopt and first-month retention of every feature released by the month's end.
-- Read from the monthly partials (user x account x month), not from every day of the history.
-- Incremental (macro usage_mart_plan), like product_engagement_score, and one month earlier still: a
-- month's first-month retention is read in the next month.
-- depends_on: {{ ref('int_customer_accounts') }}, {{ ref('int_customer_users') }}, {{ ref('int_usage_user_daily') }}
-- depends_on: {{ ref('int_usage_user_monthly') }}, {{ ref('int_calendar_days') }}
{% set rebuild = {'period_column': 'month', 'grain': 'month', 'periods_before': 1, 'customers': 'periods',
                   'dimensions': {'int_account_segments': {'first_day': 'month_start', 'active_accounts': true},
                                  'int_features': {'first_day': 'cast(released_at as date)'}}} %}
{{ config(usage_mart_config(rebuild)) }}
{% set plan = usage_mart_plan(rebuild) %}
{% set from_month = none if plan.full else first_rebuilt_period(plan, 'month', rebuild.periods_before) %}

with months as (
    select
        m.period_start as month_start,
        m.is_complete,
        coalesce(n.is_complete, false) as next_is_complete
    from {{ ref('int_calendar_periods') }} as m
    left join {{ ref('int_calendar_periods') }} as n
        on n.period_type = 'month' and n.period_start = m.next_period_start
    where m.period_type = 'month'
    {%- if from_month %} and m.period_start >= {{ from_month }}{% endif %}
),

-- every active user-month, in each segment its account has that month
active as (
    select a.user_id, a.account_id, a.month_start, s.plan, s.industry
    from {{ ref('int_user_activity_monthly') }} as a
    inner join {{ ref('int_account_segments') }} as s
        on s.account_id = a.account_id and s.month_start = a.month_start
    {%- if from_month %}
    where a.month_start >= {{ from_month }}
    {%- endif %}
),

segmented as (
    select user_id, account_id, month_start, 'all' as segment_type, 'all' as segment_value from active
    union all
    select user_id, account_id, month_start, 'plan', plan from active
    union all
    select user_id, account_id, month_start, 'industry', industry from active
),

feature_months as (
    select user_id, account_id, feature_key, month_start, uses, active_days
    from {{ ref('int_feature_usage_monthly') }}
    {%- if from_month %}
    where month_start >= {{ from_month }}
    {%- endif %}
),

firsts as (
    select
        user_id,
        feature_key,
        min(month_start) as first_month,
        min(first_use_day) as first_use_day
    from {{ ref('int_feature_usage_monthly') }}
    group by user_id, feature_key
),

first_activity as (
    select user_id, min(first_active_day) as first_active_day from {{ ref('int_user_activity_monthly') }} group by user_id
),

adopters as (
    select
        f.user_id,
        f.feature_key,
        f.first_month,
        {{ dbt.datediff('greatest(cat.released_at, a.first_active_day)', 'f.first_use_day', 'day') }} as days_to_adopt,
        exists (
            select 1 from feature_months as again
            where again.user_id = f.user_id and again.feature_key = f.feature_key
              and again.month_start = {{ period_end('month', 'f.first_month') }}
        ) as used_next_month
    from firsts as f
    inner join first_activity as a on a.user_id = f.user_id
    inner join {{ ref('int_features') }} as cat on cat.feature_key = f.feature_key
),

denominators as (
    select
        month_start,
        segment_type,
        segment_value,
        count(distinct user_id) as active_users,
        count(distinct account_id) as active_accounts
    from segmented
    group by month_start, segment_type, segment_value
),

-- every feature released (and not retired) by the month's end, in each segment active that month
grid as (
    select
        f.feature_key,
        f.feature_name,
        f.released_at,
        f.is_core,
        s.month_start,
        s.segment_type,
        s.segment_value
    from denominators as s
    inner join {{ ref('int_features') }} as f
        on f.released_at < {{ period_end('month', 's.month_start') }}
        and (f.retired_at is null or f.retired_at > s.month_start)
),

feature_rows as (
    select fm.feature_key, s.month_start, s.segment_type, s.segment_value, fm.user_id, fm.account_id, fm.uses, fm.active_days
    from feature_months as fm
    inner join segmented as s
        on s.user_id = fm.user_id and s.account_id = fm.account_id and s.month_start = fm.month_start
),

{%- set usage_keys = ['feature_key', 'month_start', 'segment_type', 'segment_value'] %}

feature_users as ({{ distinct_count_by('feature_rows', usage_keys, 'user_id', 'feature_users') }}),

feature_accounts as ({{ distinct_count_by('feature_rows', usage_keys, 'account_id', 'feature_accounts') }}),

feature_events as (
    select {{ usage_keys | join(', ') }}, sum(uses) as feature_events, avg(active_days) as active_days_per_feature_user
    from feature_rows
    group by {{ usage_keys | join(', ') }}
),

usage as (
    select e.*, fu.feature_users, fa.feature_accounts
    from feature_events as e
    inner join feature_users as fu using ({{ usage_keys | join(', ') }})
    inner join feature_accounts as fa using ({{ usage_keys | join(', ') }})
),

new_users as (
    select
        ad.feature_key,
        s.month_start,
        s.segment_type,
        s.segment_value,
        count(distinct ad.user_id) as new_feature_users,
        {{ percentile('ad.days_to_adopt', 0.5) }} as median_days_to_adopt,
        count(distinct case when ad.used_next_month then ad.user_id end) as retained_next_month
    from adopters as ad
    inner join (select distinct user_id, month_start, segment_type, segment_value from segmented) as s
        on s.user_id = ad.user_id and s.month_start = ad.first_month
    group by ad.feature_key, s.month_start, s.segment_type, s.segment_value
)

select
    cast(g.feature_key as {{ dbt.type_string() }}) as feature_key,
    cast(g.feature_name as {{ dbt.type_string() }}) as feature_name,
    cast(g.month_start as date) as month,
    cast(g.segment_type as {{ dbt.type_string() }}) as segment_type,
    cast(g.segment_value as {{ dbt.type_string() }}) as segment_value,
    cast(d.active_users as bigint) as active_users,
    cast(coalesce(u.feature_users, 0) as bigint) as feature_users,
    cast({{ safe_divide('coalesce(u.feature_users, 0)', 'd.active_users') }} as {{ type_double() }}) as user_adoption_rate,
    cast(d.active_accounts as bigint) as active_accounts,
    cast(coalesce(u.feature_accounts, 0) as bigint) as feature_accounts,
    cast({{ safe_divide('coalesce(u.feature_accounts, 0)', 'd.active_accounts') }} as {{ type_double() }}) as account_adoption_rate,
    cast({{ safe_divide('u.feature_events', 'u.feature_users') }} as {{ type_double() }}) as uses_per_feature_user,
    cast(u.active_days_per_feature_user as {{ type_double() }}) as active_days_per_feature_user,
    cast(coalesce(n.new_feature_users, 0) as bigint) as new_feature_users,
    cast(n.median_days_to_adopt as {{ type_double() }}) as median_days_to_adopt,
    cast(case when m.next_is_complete then {{ safe_divide('n.retained_next_month', 'n.new_feature_users') }} end as {{ type_double() }}) as m1_retention_rate,
    cast(m.is_complete as boolean) as is_complete,
    cast(g.released_at as {{ dbt.type_timestamp() }}) as released_at,
    cast(g.is_core as boolean) as is_core
from grid as g
inner join denominators as d
    on d.month_start = g.month_start and d.segment_type = g.segment_type and d.segment_value = g.segment_value
inner join months as m on m.month_start = g.month_start
left join usage as u
    on u.feature_key = g.feature_key and u.month_start = g.month_start
    and u.segment_type = g.segment_type and u.segment_value = g.segment_value
left join new_users as n
    on n.feature_key = g.feature_key and n.month_start = g.month_start
    and n.segment_type = g.segment_type and n.segment_value = g.segment_value
