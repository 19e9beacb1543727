-- One row per user x account x feature x reporting-zone day with at least one feature_used event,
-- for every user (customers are selected on reading: int_feature_usage_daily).
-- Incremental by day: see macro rebuild_from_day.
{{ config(replace_by('day')) }}
{{ config(tags=['daily'], on_schema_change='append_new_columns') }}

with events as (
    select user_id, account_id, feature_key, occurred_at, feature_use_count, loaded_at, {{ reporting_day('occurred_at') }} as day
    from {{ ref('int_usage_events') }}
    where event_name = 'feature_used' and feature_key is not null
    {% if is_incremental() -%}
    {{ usage_events_from(rebuild_from_day(ref('int_usage_events'), reporting_day('occurred_at')), 'and') }}
    {%- endif %}
)

select
    user_id,
    account_id,
    feature_key,
    day,
    {{ period_start('month', 'day') }} as month_start,
    sum(feature_use_count) as uses,
    min(occurred_at) as first_used_at,
    max(occurred_at) as last_used_at,
    max(loaded_at) as loaded_at,
    {{ written_at() }} as _written_at
from events
group by user_id, account_id, feature_key, day
