-- Per account-week: distinct active users in the 28 days ending on as_of_date and in the 28 days
-- before (the MAU of account_engagement_daily on those two days), and the core features available
-- (released by as_of_date, not retired before the window) and used by the account in the 28 days.
-- A 28-day window ending on a Sunday is exactly four ISO weeks, so feature use is read per week.
-- Incremental (macro usage_mart_plan, as account_engagement_daily, whose days it reads): a build rebuilds the
-- weeks from the first day whose data changed, at an account whose customers changed the weeks from the first
-- activity the change reaches, every week from a feature's release when the feature changed, and the
-- account-weeks that int_account_weeks gained; the rows of the account-weeks it lost are deleted.
-- depends_on: {{ ref('int_customer_accounts') }}, {{ ref('int_customer_users') }}, {{ ref('int_usage_user_monthly') }}
-- depends_on: {{ ref('int_usage_user_daily') }}
{% set rebuild = {'period_column': 'as_of_date', 'grain': 'day', 'customers': 'accounts',
                   'dimensions': {'int_features': {'first_day': 'cast(released_at as date)'}}} %}
{{ config(account_week_usage_config(rebuild)) }}

with weeks as (
    -- the rows of this model the pre-hooks kept stand; every other account-week is built
    select w.account_id, w.as_of_date, w.week_start
    from {{ ref('int_account_weeks') }} as w
    {%- if is_incremental() %}
    where not exists (select 1 from {{ this }} as t where t.account_id = w.account_id and t.as_of_date = w.as_of_date)
    {%- endif %}
),

engagement as (
    select account_id, day, mau from {{ ref('account_engagement_daily') }}
),

core_available as (
    select s.as_of_date, f.feature_key
    from (select distinct as_of_date from weeks) as s
    inner join {{ ref('int_features') }} as f
        on f.is_core and f.released_at <= s.as_of_date
        and (f.retired_at is null or f.retired_at > cast({{ dbt.dateadd('day', -27, 's.as_of_date') }} as date))
),

feature_weeks as (
    select distinct account_id, feature_key, {{ period_start('week', 'day') }} as week_start
    from {{ ref('int_feature_usage_daily') }}
    {%- if is_incremental() %}
    where day >= (select cast({{ dbt.dateadd('day', -21, 'min(week_start)') }} as date) from weeks)
    {%- endif %}
),

core_used as (
    select w.account_id, w.as_of_date, count(distinct u.feature_key) as core_features_used
    from weeks as w
    inner join feature_weeks as u
        on u.account_id = w.account_id
        and u.week_start >= cast({{ dbt.dateadd('day', -21, 'w.week_start') }} as date)
        and u.week_start <= w.week_start
    inner join core_available as c on c.as_of_date = w.as_of_date and c.feature_key = u.feature_key
    group by w.account_id, w.as_of_date
)

select
    w.account_id,
    w.as_of_date,
    coalesce(cur.mau, 0) as active_users_28d,
    coalesce(prev.mau, 0) as active_users_prev_28d,
    coalesce(ca.core_features, 0) as core_features_available,
    coalesce(cu.core_features_used, 0) as core_features_used
from weeks as w
left join engagement as cur on cur.account_id = w.account_id and cur.day = w.as_of_date
left join engagement as prev
    on prev.account_id = w.account_id and prev.day = cast({{ dbt.dateadd('day', -28, 'w.as_of_date') }} as date)
left join (select as_of_date, count(*) as core_features from core_available group by as_of_date) as ca
    on ca.as_of_date = w.as_of_date
left join core_used as cu on cu.account_id = w.account_id and cu.as_of_date = w.as_of_date
