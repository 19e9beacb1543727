-- One row per user x account x feature x reporting month with feature use, rolled up from the feature-day
-- fact, for every user (customers are selected on reading: int_feature_usage_monthly). active_day_mask has
-- bit n - 1 set for each day n of the month with use, so that the distinct days of a user who used a
-- feature at two accounts on one day can be counted once (macro distinct_days_of_masks).
-- Incremental by month: see macro rebuild_from_month.
{{ config(replace_by('month_start')) }}
{{ config(on_schema_change='append_new_columns') }}

select
    user_id,
    account_id,
    feature_key,
    month_start,
    sum(uses) as uses,
    count(*) as active_days,  -- the daily fact has one row per user x account x feature x day
    sum(cast(power(2, {{ dbt.datediff('month_start', 'day', 'day') }}) as {{ dbt.type_bigint() }})) as active_day_mask,
    min(day) as first_use_day,
    max(day) as last_use_day,
    min(first_used_at) as first_used_at,
    max(last_used_at) as last_used_at,
    max(loaded_at) as loaded_at,
    {{ written_at() }} as _written_at
from {{ ref('int_usage_feature_daily') }}
{% if is_incremental() -%}
where month_start >= {{ rebuild_from_month(ref('int_usage_feature_daily'), 'last_use_day') }}
{%- endif %}
group by user_id, account_id, feature_key, month_start
