-- One row per user x account x reporting-zone day with at least one usage event.
-- Incremental by day: see macro rebuild_from_day.
{{ config(materialized='incremental', tags=['daily'], incremental_strategy='delete+insert', unique_key='day') }}

select
    user_id,
    account_id,
    day,
    {{ period_start('month', 'day') }} as month_start,
    count(*) as events,
    min(occurred_at) as first_event_at,
    max(loaded_at) as loaded_at
from {{ ref('int_customer_events') }}
{% if is_incremental() %}
where day >= {{ rebuild_from_day(ref('int_customer_events'), 'day') }}
{% endif %}
group by user_id, account_id, day
