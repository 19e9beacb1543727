-- The segment of every customer account in every month of the calendar (plan and industry), for
-- breakdowns. An account with no subscription period yet has plan 'none'.
with months as (
    select distinct month_start from {{ ref('int_calendar_days') }}
)

select
    a.account_id,
    m.month_start,
    coalesce(am.plan, 'none') as plan,
    coalesce(a.industry, 'unknown') as industry
from {{ ref('int_customer_accounts') }} as a
cross join months as m
left join {{ ref('int_account_months') }} as am on am.account_id = a.account_id and am.month_start = m.month_start
