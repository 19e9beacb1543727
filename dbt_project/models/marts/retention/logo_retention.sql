-- One row per period (month, quarter, year): paying customers on the last day of the previous
-- period and of this one, who was won and who was lost. A win-back inside the period is new.
with periods as (
    select
        period_type,
        period_start,
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date) as start_snapshot_day,
        last_day as end_snapshot_day,
        is_complete
    from {{ ref('int_calendar_periods') }}
),

paying as (
    select account_id, day from {{ ref('int_subscription_daily') }} where is_paying
),

counts as (
    select
        p.period_type,
        p.period_start,
        p.is_complete,
        sum(case when st.paying_at_start then 1 else 0 end) as customers_at_start,
        sum(case when st.paying_at_end then 1 else 0 end) as customers_at_end,
        sum(case when st.paying_at_end and not st.paying_at_start then 1 else 0 end) as new_customers,
        sum(case when st.paying_at_start and not st.paying_at_end then 1 else 0 end) as churned_customers
    from periods as p
    left join (
        select p.period_type, p.period_start, s.account_id,
               max(case when s.day = p.start_snapshot_day then 1 else 0 end) = 1 as paying_at_start,
               max(case when s.day = p.end_snapshot_day then 1 else 0 end) = 1 as paying_at_end
        from periods as p
        inner join paying as s on s.day in (p.start_snapshot_day, p.end_snapshot_day)
        group by p.period_type, p.period_start, s.account_id
    ) as st on st.period_type = p.period_type and st.period_start = p.period_start
    group by p.period_type, p.period_start, p.is_complete
)

select
    cast(period_type as {{ dbt.type_string() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(customers_at_start as bigint) as customers_at_start,
    cast(customers_at_end as bigint) as customers_at_end,
    cast(new_customers as bigint) as new_customers,
    cast(churned_customers as bigint) as churned_customers,
    cast(case when is_complete then {{ safe_divide('customers_at_end - new_customers', 'customers_at_start') }} end as {{ type_double() }})
        as retention_rate,
    cast(is_complete as boolean) as is_complete
from counts
