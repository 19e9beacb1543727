-- One row per account x day with activity: active users, events and distinct features used.
-- Incremental by day: see macro rebuild_from_day.
{{ config(materialized='incremental', tags=['daily'], incremental_strategy='delete+insert', unique_key='day') }}

select
    account_id,
    day,
    count(distinct user_id) as active_users,
    count(*) as events,
    count(distinct case when event_name = 'feature_used' then feature_key end) as features_used,
    max(loaded_at) as loaded_at
from {{ ref('int_customer_events') }}
{% if is_incremental() %}
where day >= {{ rebuild_from_day(ref('int_customer_events'), 'day') }}
{% endif %}
group by account_id, day
