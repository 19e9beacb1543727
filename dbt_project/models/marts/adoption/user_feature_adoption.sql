-- One row per user x feature ever used, rolled up from the monthly partial.
-- Incremental (macros/user_marts.sql): rebuilt for the users whose rows can have changed, over their whole history.
-- depends_on: {{ ref('int_usage_feature_daily') }}, {{ ref('int_usage_user_daily') }}, {{ ref('int_usage_user_monthly') }}
-- depends_on: {{ ref('int_calendar_days') }}, {{ ref('int_customer_accounts') }}
{% set rebuild = {'grain': 'day', 'dimensions': {'int_features': {'first_day': "cast('0001-01-01' as date)"}}} %}
{{ config(user_mart_config(rebuild)) }}

with usage as (
    select
        user_id,
        feature_key,
        min(first_used_at) as first_used_at,
        max(last_used_at) as last_used_at,
        min(first_use_day) as first_use_day,
        max(last_use_day) as last_use_day,
        sum(uses) as uses
    from {{ ref('int_feature_usage_monthly') }}
    {{ rebuilt_users_only(rebuild) }}
    group by user_id, feature_key
),

-- a user who used the feature at two accounts on one day used it on one day
month_days as (
    select user_id, feature_key, {{ distinct_days_of_masks('active_day_mask') }} as active_days
    from {{ ref('int_feature_usage_monthly') }}
    {{ rebuilt_users_only(rebuild) }}
    group by user_id, feature_key, month_start
),

active_days as (
    select user_id, feature_key, sum(active_days) as active_days
    from month_days
    group by user_id, feature_key
),

first_activity as (
    select user_id, min(first_active_day) as first_active_day from {{ ref('int_user_activity_monthly') }}
    {{ rebuilt_users_only(rebuild) }}
    group by user_id
)

select
    cast(u.user_id as {{ dbt.type_string() }}) as user_id,
    cast(c.account_id as {{ dbt.type_string() }}) as account_id,
    cast(u.feature_key as {{ dbt.type_string() }}) as feature_key,
    cast(u.first_used_at as timestamp) as first_used_at,
    cast(u.last_used_at as timestamp) as last_used_at,
    cast(u.uses as bigint) as uses,
    cast(d.active_days as bigint) as active_days,
    cast({{ dbt.datediff('greatest(f.released_at, a.first_active_day)', 'u.first_use_day', 'day') }} as bigint) as days_to_adopt,
    cast({{ dbt.datediff('u.first_use_day', 'u.last_use_day', 'day') }} as bigint) as usage_span_days
from usage as u
inner join {{ ref('int_customer_users') }} as c on c.user_id = u.user_id
inner join active_days as d on d.user_id = u.user_id and d.feature_key = u.feature_key
inner join first_activity as a on a.user_id = u.user_id
left join {{ ref('int_features') }} as f on f.feature_key = u.feature_key
