-- Usage events of customer users at customer accounts, with their reporting-zone day.
{{ config(materialized='view') }}

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
