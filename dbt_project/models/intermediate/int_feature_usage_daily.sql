-- One row per user x account x feature x day with at least one feature_used event.
-- Incremental by day: see macro rebuild_from_day.
{{ config(materialized='incremental', tags=['daily'], incremental_strategy='delete+insert', unique_key='day') }}

select
    user_id,
    account_id,
    feature_key,
    day,
    {{ period_start('month', 'day') }} as month_start,
    count(*) as uses,
    min(occurred_at) as first_used_at,
    max(occurred_at) as last_used_at,
    max(loaded_at) as loaded_at
from {{ ref('int_customer_events') }}
where event_name = 'feature_used' and feature_key is not null
{% if is_incremental() %}
    and day >= {{ rebuild_from_day(ref('int_customer_events'), 'day') }}
{% endif %}
group by user_id, account_id, feature_key, day
