-- Usage events of customer users at customer accounts, with their reporting-zone day.
-- Incremental by day: see macro rebuild_from_day.
{{ config(materialized='incremental', tags=['daily'], incremental_strategy='delete+insert', unique_key='day') }}

select
    e.event_id,
    e.user_id,
    e.account_id,
    e.event_name,
    e.feature_key,
    e.platform,
    e.occurred_at,
    e.loaded_at,
    {{ reporting_day('e.occurred_at') }} as day
from {{ ref('int_usage_events') }} as e
inner join {{ ref('int_customer_users') }} as u on e.user_id = u.user_id
inner join {{ ref('int_customer_accounts') }} as a on e.account_id = a.account_id
{% if is_incremental() %}
{%- set from_day = rebuild_from_day(ref('int_usage_events'), reporting_day('occurred_at')) %}
-- the UTC bound lets DuckDB skip row groups: a reporting day starts less than a day before its UTC date
where e.occurred_at >= {{ dbt.dateadd('day', -1, 'cast(' ~ from_day ~ ' as timestamp)') }}
    and {{ reporting_day('e.occurred_at') }} >= {{ from_day }}
{% endif %}
