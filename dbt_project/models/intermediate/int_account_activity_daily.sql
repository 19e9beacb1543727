-- One row per account x day with activity: active users, events and distinct features used.
select
    account_id,
    day,
    count(distinct user_id) as active_users,
    count(*) as events,
    count(distinct case when event_name = 'feature_used' then feature_key end) as features_used
from {{ ref('int_customer_events') }}
group by account_id, day
