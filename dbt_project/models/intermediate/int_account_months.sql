-- Every customer account x month from its first subscription period to the high-water mark:
-- MRR and paying at the month's last day (the high-water mark day while the month is open),
-- and the account's segment that month (the plan of its latest period started by then; ties: the
-- higher mrr, then the plan name).
with months as (
    select period_start as month_start, last_day as snapshot_day, is_complete
    from {{ ref('int_calendar_periods') }}
    where period_type = 'month'
),

periods as (
    select p.account_id, p.plan, p.period_start, p.mrr
    from {{ ref('int_subscription_periods') }} as p
    inner join {{ ref('int_customer_accounts') }} as a on p.account_id = a.account_id
),

account_months as (
    select a.account_id, m.month_start, m.snapshot_day, m.is_complete
    from months as m
    inner join (select account_id, min(period_start) as first_start from periods group by account_id) as a
        on m.snapshot_day >= a.first_start
),

latest_plan as (
    select account_id, month_start, plan
    from (
        select
            am.account_id,
            am.month_start,
            p.plan,
            row_number() over (partition by am.account_id, am.month_start order by p.period_start desc, p.mrr desc, p.plan) as recency
        from account_months as am
        inner join periods as p on p.account_id = am.account_id and p.period_start <= am.snapshot_day
    ) as ranked
    where recency = 1
)

select
    am.account_id,
    am.month_start,
    am.snapshot_day,
    am.is_complete,
    coalesce(s.mrr, 0) as mrr,
    coalesce(s.is_paying, false) as is_paying,
    coalesce(s.is_trialing, false) as is_trialing,
    lp.plan,
    acc.industry
from account_months as am
left join {{ ref('int_subscription_daily') }} as s on s.account_id = am.account_id and s.day = am.snapshot_day
left join latest_plan as lp on lp.account_id = am.account_id and lp.month_start = am.month_start
left join {{ ref('int_customer_accounts') }} as acc on acc.account_id = am.account_id
