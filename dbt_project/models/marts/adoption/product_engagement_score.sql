-- One row per month x segment (all, plan, industry): adoption, stickiness and growth scores and
-- their mean, the product engagement score (PES).
-- Incremental (macro usage_mart_plan): a build rebuilds the months from the first one whose data changed
-- (or that was incomplete at the last build), reading the 27 days before it for the 28-day MAU. A change of
-- customers rebuilds from the first activity it reaches, a segment (plan, industry) of an active account
-- changed from its month, and a feature changed from its release.
-- depends_on: {{ ref('int_customer_accounts') }}, {{ ref('int_customer_users') }}, {{ ref('int_usage_user_daily') }}
-- depends_on: {{ ref('int_usage_user_monthly') }}
{% set rebuild = {'period_column': 'month', 'grain': 'month', 'customers': 'periods',
                   'dimensions': {'int_account_segments': {'first_day': 'month_start', 'active_accounts': true},
                                  'int_features': {'first_day': 'cast(released_at as date)'}}} %}
{{ config(usage_mart_config(rebuild)) }}
{% set plan = usage_mart_plan(rebuild) %}
{% if not plan.full %}
    {% set from_month = first_rebuilt_period(plan, 'month') %}
    {% set read_from = 'cast(' ~ dbt.dateadd('day', -27, from_month) ~ ' as date)' %}
{% endif %}

with months as (
    select period_start as month_start, is_complete
    from {{ ref('int_calendar_periods') }}
    where period_type = 'month'
    {%- if not plan.full %} and period_start >= {{ from_month }}{% endif %}
),

segments as (
    {%- for segment_type, segment_value in [("'all'", "'all'"), ("'plan'", 'plan'), ("'industry'", 'industry')] %}
    select account_id, month_start, {{ segment_type }} as segment_type, {{ segment_value }} as segment_value
    from {{ ref('int_account_segments') }}
    {%- if not plan.full %}
    where month_start >= {{ period_start('month', read_from) }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

active_accounts as (
    select distinct account_id, month_start from {{ ref('int_user_activity_monthly') }}
),

-- adoption: per active account, core features used / core features released by the month's end
core_released as (
    select m.month_start, count(f.feature_key) as core_features
    from months as m
    inner join {{ ref('int_features') }} as f
        on f.is_core and f.released_at < {{ period_end('month', 'm.month_start') }}
        and (f.retired_at is null or f.retired_at > m.month_start)
    group by m.month_start
),

core_used as (
    select u.account_id, u.month_start, count(distinct u.feature_key) as core_used
    from {{ ref('int_feature_usage_monthly') }} as u
    inner join {{ ref('int_features') }} as f on f.feature_key = u.feature_key and f.is_core
    {%- if not plan.full %}
    where u.month_start >= {{ from_month }}
    {%- endif %}
    group by u.account_id, u.month_start
),

adoption as (
    select
        s.month_start,
        s.segment_type,
        s.segment_value,
        -- averages of exact decimals: the same build gives the same score to the last digit
        100 * avg(cast({{ safe_divide('coalesce(cu.core_used, 0)', 'cr.core_features') }} as decimal(38, 18))) as adoption_score
    from active_accounts as aa
    inner join segments as s on s.account_id = aa.account_id and s.month_start = aa.month_start
    left join core_used as cu on cu.account_id = aa.account_id and cu.month_start = aa.month_start
    left join core_released as cr on cr.month_start = aa.month_start
    group by s.month_start, s.segment_type, s.segment_value
),

-- stickiness: mean over the month's days of DAU / MAU (28 days), users counted in the segment
-- their account had in the month of their activity
user_days as (
    select distinct a.user_id, a.day, s.segment_type, s.segment_value
    from {{ ref('int_user_activity_daily') }} as a
    inner join segments as s on s.account_id = a.account_id and s.month_start = a.month_start
    {%- if not plan.full %}
    where a.day >= {{ read_from }}
    {%- endif %}
),

-- the DAU and the MAU's edges (macro active_window_changes)
changes as ({{ active_window_changes('user_days', ['segment_type', 'segment_value'], 'user_id', [('mau', 28)]) }}),

segment_days as (
    select distinct d.day, d.month_start, s.segment_type, s.segment_value
    from {{ ref('int_calendar_days') }} as d
    inner join (select distinct segment_type, segment_value from changes) as s on true
    {%- if not plan.full %}
    where d.day >= {{ read_from }}
    {%- endif %}
),

daily as (
    select
        sd.day,
        sd.month_start,
        sd.segment_type,
        sd.segment_value,
        coalesce(c.active_users, 0) as dau,
        sum(coalesce(c.mau_change, 0)) over (
            partition by sd.segment_type, sd.segment_value order by sd.day rows unbounded preceding
        ) as mau
    from segment_days as sd
    left join changes as c on c.segment_type = sd.segment_type and c.segment_value = sd.segment_value and c.day = sd.day
),

stickiness as (
    select month_start, segment_type, segment_value,
           100 * avg(cast({{ safe_divide('dau', 'mau') }} as decimal(38, 18))) as stickiness_score
    from daily
    group by month_start, segment_type, segment_value
),

-- growth: new, resurrected and dropped accounts, each in the segment it has this month
account_history as (
    select
        m.month_start,
        a.account_id,
        exists (select 1 from active_accounts as x where x.account_id = a.account_id and x.month_start = m.month_start) as active_now,
        exists (select 1 from active_accounts as x where x.account_id = a.account_id
                and x.month_start = cast({{ dbt.dateadd('month', -1, 'm.month_start') }} as date)) as active_last,
        exists (select 1 from active_accounts as x where x.account_id = a.account_id
                and x.month_start < cast({{ dbt.dateadd('month', -1, 'm.month_start') }} as date)) as active_before
    from months as m
    cross join (select distinct account_id from active_accounts) as a
),

growth as (
    select
        s.month_start,
        s.segment_type,
        s.segment_value,
        sum(case when h.active_now and not h.active_last and not h.active_before then 1 else 0 end) as new_accounts,
        sum(case when h.active_now and not h.active_last and h.active_before then 1 else 0 end) as resurrected_accounts,
        sum(case when h.active_last and not h.active_now then 1 else 0 end) as dropped_accounts
    from account_history as h
    inner join segments as s on s.account_id = h.account_id and s.month_start = h.month_start
    group by s.month_start, s.segment_type, s.segment_value
),

scores as (
    select
        a.month_start,
        a.segment_type,
        a.segment_value,
        a.adoption_score,
        st.stickiness_score,
        100 * {{ safe_divide('g.new_accounts + g.resurrected_accounts',
                             'g.new_accounts + g.resurrected_accounts + g.dropped_accounts') }} as growth_score,
        g.new_accounts,
        g.resurrected_accounts,
        g.dropped_accounts
    from adoption as a
    left join stickiness as st
        on st.month_start = a.month_start and st.segment_type = a.segment_type and st.segment_value = a.segment_value
    left join growth as g
        on g.month_start = a.month_start and g.segment_type = a.segment_type and g.segment_value = a.segment_value
)

select
    cast(s.month_start as date) as month,
    cast(s.segment_type as {{ dbt.type_string() }}) as segment_type,
    cast(s.segment_value as {{ dbt.type_string() }}) as segment_value,
    cast(s.adoption_score as {{ type_double() }}) as adoption_score,
    cast(s.stickiness_score as {{ type_double() }}) as stickiness_score,
    cast(s.growth_score as {{ type_double() }}) as growth_score,
    cast(
        (coalesce(s.adoption_score, 0) + coalesce(s.stickiness_score, 0) + coalesce(s.growth_score, 0))
        / nullif(
            (case when s.adoption_score is null then 0 else 1 end)
            + (case when s.stickiness_score is null then 0 else 1 end)
            + (case when s.growth_score is null then 0 else 1 end), 0)
        as {{ type_double() }}) as pes,
    cast(coalesce(s.new_accounts, 0) as bigint) as new_accounts,
    cast(coalesce(s.resurrected_accounts, 0) as bigint) as resurrected_accounts,
    cast(coalesce(s.dropped_accounts, 0) as bigint) as dropped_accounts,
    cast(m.is_complete as boolean) as is_complete
from scores as s
inner join months as m on m.month_start = s.month_start
