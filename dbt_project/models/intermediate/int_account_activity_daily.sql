-- One row per account x day with activity: active customer users, their events and the distinct
-- features they used, rolled up from the user and feature facts.

with users as (
    -- a row of the user fact is one user active that day
    select account_id, day, count(*) as active_users, sum(events) as events, max(loaded_at) as loaded_at
    from {{ ref('int_user_activity_daily') }}
    group by account_id, day
),

features as (
    select account_id, day, count(distinct feature_key) as features_used
    from {{ ref('int_feature_usage_daily') }}
    group by account_id, day
)

select
    u.account_id,
    u.day,
    u.active_users,
    u.events,
    coalesce(f.features_used, 0) as features_used,
    u.loaded_at
from users as u
left join features as f on f.account_id = u.account_id and f.day = u.day
