-- One row per user x account x reporting-zone day with at least one usage event.
select
    user_id,
    account_id,
    day,
    {{ period_start('month', 'day') }} as month_start,
    count(*) as events,
    min(occurred_at) as first_event_at
from {{ ref('int_customer_events') }}
group by user_id, account_id, day
