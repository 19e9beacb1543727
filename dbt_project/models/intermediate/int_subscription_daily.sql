-- Subscription state of every customer account on every day from its first period to the high-water mark.
-- Paying: a non-trial period with mrr > 0 running that day (period_start <= day < period_end); MRR: the sum
-- of mrr of its non-trial periods running that day. Incremental: rebuilt for the accounts whose periods
-- changed and for the new days (macros/subscription_days.sql).
{{ config(subscription_days_config()) }}

with periods as (
    {{ customer_subscription_periods() }}
),

running as (
    select
        p.account_id,
        d.day,
        p.is_trial,
        p.mrr,
        p.seats,
        p.renewal_date
    from periods as p
    inner join {{ ref('int_calendar_days') }} as d
        on d.day >= p.period_start and (p.period_end is null or d.day < p.period_end)
    {{ rebuilt_subscription_days('p.account_id', 'd.day') }}
)

select
    account_id,
    day,
    max(case when not is_trial and mrr > 0 then 1 else 0 end) = 1 as is_paying,
    max(case when is_trial then 1 else 0 end) = 1 as is_trialing,
    cast(coalesce(sum(case when not is_trial then mrr end), 0) as decimal(18, 4)) as mrr,
    sum(case when not is_trial then seats end) as seats,
    min(case when not is_trial then renewal_date end) as renewal_date,
    {{ written_at() }} as _written_at
from running
group by account_id, day
