-- One row per user x account x reporting month with usage, rolled up from the user-day fact, for every
-- user (customers are selected on reading: int_user_activity_monthly). The marts read months from here
-- instead of scanning every day of the history. Incremental by month: only the months that received data
-- (and the lookback's) are rebuilt, see macro rebuild_from_month.
{{ config(replace_by('month_start')) }}
{{ config(on_schema_change='append_new_columns') }}

select
    user_id,
    account_id,
    month_start,
    count(*) as active_days,  -- the daily fact has one row per user x account x day
    sum(events) as events,
    min(day) as first_active_day,
    max(day) as last_active_day,
    max(loaded_at) as loaded_at,
    {{ written_at() }} as _written_at
from {{ ref('int_usage_user_daily') }}
{% if is_incremental() -%}
where month_start >= {{ rebuild_from_month(ref('int_usage_user_daily'), 'last_active_day') }}
{%- endif %}
group by user_id, account_id, month_start
