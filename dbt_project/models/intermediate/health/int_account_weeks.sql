-- The grain of account health: every customer account paying or trialing on the last day (a Sunday)
-- of each ISO week, from the first day with usage data to the high-water mark, with its subscription
-- that day. plan and renewal_date are of the latest-started period running then, paying periods
-- before trials (ties: the higher mrr, then the plan name); mrr and seats add up the non-trial
-- periods running, seats those of the trial while the account is only trialing.
with first_usage as (
    select min(first_active_day) as first_day from {{ ref('int_usage_user_monthly') }}
),

sundays as (
    select d.day as as_of_date, d.week_start, d.is_day_complete as is_complete
    from {{ ref('int_calendar_days') }} as d
    cross join first_usage as f
    where d.day = cast({{ dbt.dateadd('day', 6, 'd.week_start') }} as date)
        and d.day >= f.first_day
),

running as (
    select
        p.account_id,
        s.as_of_date,
        s.week_start,
        s.is_complete,
        p.plan,
        p.is_trial,
        p.mrr,
        p.seats,
        p.renewal_date,
        row_number() over (
            partition by p.account_id, s.as_of_date
            order by case when not p.is_trial and p.mrr > 0 then 0 when not p.is_trial then 1 else 2 end,
                p.period_start desc, p.mrr desc, p.plan
        ) as precedence
    from sundays as s
    inner join {{ ref('int_subscription_periods') }} as p
        on p.period_start <= s.as_of_date and (p.period_end is null or s.as_of_date < p.period_end)
    inner join {{ ref('int_customer_accounts') }} as a on a.account_id = p.account_id
)

select
    account_id,
    as_of_date,
    week_start,
    is_complete,
    max(case when precedence = 1 then plan end) as plan,
    max(case when precedence = 1 then renewal_date end) as renewal_date,
    cast(coalesce(sum(case when not is_trial then mrr end), 0) as decimal(18, 4)) as mrr,
    case when max(case when not is_trial then 1 else 0 end) = 1
        then sum(case when not is_trial then seats end)
        else sum(case when is_trial then seats end)
    end as seats
from running
group by account_id, as_of_date, week_start, is_complete
having max(case when is_trial or mrr > 0 then 1 else 0 end) = 1
