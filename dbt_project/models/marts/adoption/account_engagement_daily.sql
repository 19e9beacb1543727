-- One row per account x day from its first activity to the high-water mark.
-- WAU and MAU count distinct users active in the 7 and 28 days ending that day (macro active_window_changes).
-- Incremental (macro usage_mart_plan): a build rebuilds the days from the first one whose data changed,
-- reading the 27 days before it for the windows, and at an account whose customers changed the days from
-- the first activity the change reaches; the rest is kept.
-- what it was built from (macros usage_mart_plan, usage_mart_hooks):
-- depends_on: {{ ref('int_customer_accounts') }}, {{ ref('int_customer_users') }}, {{ ref('int_usage_user_monthly') }}
-- depends_on: {{ ref('int_usage_user_daily') }}
{% set rebuild = {'period_column': 'day', 'grain': 'day', 'customers': 'accounts'} %}
{{ config(usage_mart_config(rebuild)) }}
{% set plan = usage_mart_plan(rebuild) %}

with first_activity as (
    select account_id, min(first_active_day) as first_day
    from {{ ref('int_user_activity_monthly') }}
    group by account_id
),

-- per account, the first day to output and the first day the windows must read
rebuilt as (
    select
        f.account_id,
        {%- if plan.full %}
        f.first_day as output_from
        {%- elif not plan.accounts_touched %}
        greatest(f.first_day, {{ plan.from_day }}) as output_from
        {%- else %}
        greatest(f.first_day, least({{ plan.from_day }}, coalesce(t.first_day, {{ plan.from_day }}))) as output_from
        {%- endif %},
        f.first_day
    from first_activity as f
    {%- if plan.accounts_touched %}
    left join ({{ changed_customers() }}) as t on t.account_id = f.account_id
    {%- endif %}
),

windows as (
    select
        account_id,
        output_from,
        greatest(first_day, cast({{ dbt.dateadd('day', -27, 'output_from') }} as date)) as read_from
    from rebuilt
),

-- a row of the user fact is one user active that day at the account
user_days as (
    select a.account_id, a.user_id, a.day, a.events
    from {{ ref('int_user_activity_daily') }} as a
    inner join windows as r on r.account_id = a.account_id and a.day >= r.read_from
    {%- if not plan.full %}
    where a.day >= cast({{ dbt.dateadd('day', -27, plan.floor_day) }} as date)
    {%- endif %}
),

-- DAU, events and the WAU and MAU edges
changes_by_day as ({{ active_window_changes('user_days', ['account_id'], 'user_id', [('wau', 7), ('mau', 28)], ['events']) }}),

spine as (
    select r.account_id, d.day, r.output_from
    from windows as r
    inner join {{ ref('int_calendar_days') }} as d on d.day >= r.read_from
),

-- a user active before read_from covers at most the 27 days after: nothing from output_from on
rolling as (
    select
        s.account_id,
        s.day,
        s.output_from,
        coalesce(c.active_users, 0) as active_users,
        coalesce(c.events, 0) as events,
        sum(coalesce(c.wau_change, 0)) over (partition by s.account_id order by s.day rows unbounded preceding) as wau,
        sum(coalesce(c.mau_change, 0)) over (partition by s.account_id order by s.day rows unbounded preceding) as mau
    from spine as s
    left join changes_by_day as c on c.account_id = s.account_id and c.day = s.day
),

feature_days as (
    select f.account_id, f.day, f.feature_key
    from {{ ref('int_feature_usage_daily') }} as f
    inner join windows as r on r.account_id = f.account_id and f.day >= r.output_from
    {%- if not plan.full %}
    where f.day >= {{ plan.floor_day }}
    {%- endif %}
),

daily_features as ({{ distinct_count_by('feature_days', ['account_id', 'day'], 'feature_key', 'features_used') }})

select
    cast(r.account_id as {{ dbt.type_string() }}) as account_id,
    cast(r.day as date) as day,
    cast(r.active_users as bigint) as dau,
    cast(r.wau as bigint) as wau,
    cast(r.mau as bigint) as mau,
    cast({{ safe_divide('r.active_users', 'r.mau') }} as {{ type_double() }}) as stickiness,
    cast(r.events as bigint) as events,
    cast(coalesce(f.features_used, 0) as bigint) as features_used
from rolling as r
left join daily_features as f on f.account_id = r.account_id and f.day = r.day
where r.day >= r.output_from
