-- Stripe subscriptions as canonical subscription periods: each version of a subscription is a period,
-- from its start to the next version's (a version in which it was canceled only ends the one before; a
-- subscription landed without history is one period, from its start to its end). A period's seats and
-- MRR are those of the items in force when it began, priced by their price (or legacy plan), the
-- interval normalised to a month. A trialing period has no MRR, nor has a period none of whose items has
-- a recurring price (it is kept, with its seats unknown). Plan is the product's name. MRR is net of the
-- discount in force on the period's first day: the subscription's own (the latest started), else its
-- customer's; a percent off, or an amount off per invoice normalised to a month. A coupon that applies
-- once (one invoice) is no recurring discount.
with versions as (
    select
        id as subscription_id,
        _account_id as account_id,
        customer_id,
        status,
        start_date,
        _fivetran_start,
        ended_at,
        canceled_at,
        current_period_end,
        row_number() over (partition by id order by coalesce(_fivetran_start, start_date)) as version_number
    from {{ source('stripe', 'subscription_history') }}
),

dated as (
    select
        versions.*,
        case when version_number = 1 then coalesce(start_date, _fivetran_start) else _fivetran_start end as version_start
    from versions
),

ordered as (
    select
        dated.*,
        lead(version_start) over (partition by subscription_id order by version_number) as next_start
    from dated
),

periods as (
    select *
    from ordered
    where not (status in ('canceled', 'incomplete_expired') and version_number > 1)
        and status not in ('incomplete', 'incomplete_expired')
),

prices as (
    select
        price_list.*,
        -- invoices per month: the interval normalised to a month
        cast(case billing_interval when 'year' then 1 when 'week' then 52 when 'day' then 365 else 12 end as {{ type_double() }})
            / 12 / interval_count as per_month
    from (
        select id, product_id, currency, unit_amount, recurring_interval as billing_interval,
            coalesce(recurring_interval_count, 1) as interval_count
        from {{ source('stripe', 'price') }}
        where coalesce(type, 'recurring') = 'recurring'
        union all
        select id, product_id, currency, amount as unit_amount, {{ adapter.quote('interval') }} as billing_interval,
            coalesce(interval_count, 1) as interval_count
        from {{ source('stripe', 'plan') }}
    ) as price_list
),

items as (
    select
        subscription_id,
        coalesce(price_id, plan_id) as price_id,
        coalesce(quantity, 1) as quantity,
        _fivetran_start,
        _fivetran_end
    from {{ source('stripe', 'subscription_item') }}
),

priced as (
    select
        periods.subscription_id,
        periods.version_start,
        sum(items.quantity) as seats,
        sum(items.quantity * prices.unit_amount * prices.per_month) / 100 as mrr,
        max(prices.per_month) as invoices_per_month,
        max(products.name) as plan,
        max(upper(prices.currency)) as currency
    from periods
    inner join items
        on items.subscription_id = periods.subscription_id
        -- the item version in force when the period began (history mode ends are inclusive)
        and (items._fivetran_start is null or items._fivetran_start <= periods.version_start)
        and (items._fivetran_end is null or periods.version_start <= items._fivetran_end)
    inner join prices on prices.id = items.price_id
    left join {{ source('stripe', 'product') }} as products on products.id = prices.product_id
    group by periods.subscription_id, periods.version_start
),

discounts as (
    select
        discount.subscription_id,
        discount.customer_id,
        discount.start as discount_start,
        discount.{{ adapter.quote('end') }} as discount_end,
        coupon.percent_off,
        coupon.amount_off
    from {{ source('stripe', 'discount') }} as discount
    inner join {{ source('stripe', 'coupon') }} as coupon on coupon.id = discount.coupon_id
    where coalesce(coupon.duration, 'forever') <> 'once'
),

period_discounts as (
    select *
    from (
        select
            periods.subscription_id,
            periods.version_start,
            discounts.percent_off,
            discounts.amount_off,
            row_number() over (
                partition by periods.subscription_id, periods.version_start
                order by case when discounts.subscription_id is null then 1 else 0 end, discounts.discount_start desc
            ) as nth
        from periods
        inner join discounts
            on (discounts.subscription_id = periods.subscription_id
                or (discounts.subscription_id is null and discounts.customer_id = periods.customer_id))
            and cast(discounts.discount_start as date) <= cast(periods.version_start as date)
            and (discounts.discount_end is null
                 or cast(periods.version_start as date) < cast(discounts.discount_end as date))
    ) as ranked
    where nth = 1
),

net as (
    select
        priced.subscription_id,
        priced.version_start,
        priced.mrr * (1 - cast(coalesce(period_discounts.percent_off, 0) as {{ type_double() }}) / 100)
            - cast(coalesce(period_discounts.amount_off, 0) as {{ type_double() }}) / 100 * priced.invoices_per_month as mrr
    from priced
    left join period_discounts
        on period_discounts.subscription_id = priced.subscription_id
        and period_discounts.version_start = priced.version_start
)

select
    {{ dbt.concat(['periods.subscription_id', "':'", dbt.cast('periods.version_start', dbt.type_string())]) }} as period_id,
    periods.subscription_id,
    periods.account_id,
    priced.plan,
    priced.currency,
    priced.seats,
    cast(case
        when periods.status = 'trialing' or net.mrr < 0 then 0
        else coalesce(round(net.mrr, 4), 0)
    end as decimal(18, 4)) as mrr,
    periods.status = 'trialing' as is_trial,
    cast(periods.version_start as date) as period_start,
    cast(case
        when periods.next_start is not null then periods.next_start
        else coalesce(periods.ended_at, case when periods.status = 'canceled' then periods.canceled_at end)
    end as date) as period_end,
    cast(periods.current_period_end as date) as renewal_date
from periods
left join priced
    on priced.subscription_id = periods.subscription_id
    and priced.version_start = periods.version_start
left join net
    on net.subscription_id = periods.subscription_id
    and net.version_start = periods.version_start
