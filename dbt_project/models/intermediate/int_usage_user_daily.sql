-- One row per user x account x reporting-zone day with at least one usage event (events: how many, each row
-- weighing its event_count), for every user:
-- who counts as a customer is decided when the fact is read (int_user_activity_daily), so that a
-- CRM change (an account deleted or restored, a user found to be staff) reaches every past day
-- without rebuilding the history. Incremental by day: see macro rebuild_from_day. A table built before
-- last_event_at existed gets the column and is rebuilt whole by the next run.
{{ config(replace_by('day')) }}
{{ config(tags=['daily'], on_schema_change='append_new_columns') }}

with events as (
    select user_id, account_id, occurred_at, event_count, loaded_at, {{ reporting_day('occurred_at') }} as day
    from {{ ref('int_usage_events') }}
    {% if is_incremental() -%}
    {{ usage_events_from(rebuild_from_day(ref('int_usage_events'), reporting_day('occurred_at'), required_column='last_event_at')) }}
    {%- endif %}
)

select
    user_id,
    account_id,
    day,
    {{ period_start('month', 'day') }} as month_start,
    sum(event_count) as events,
    min(occurred_at) as first_event_at,
    max(occurred_at) as last_event_at,
    max(loaded_at) as loaded_at,
    {{ written_at() }} as _written_at
from events
group by user_id, account_id, day
