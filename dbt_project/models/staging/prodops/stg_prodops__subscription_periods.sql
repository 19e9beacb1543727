with source as (
    select * from {{ source('prodops', 'subscription_periods') }}
)

select
    period_id,
    subscription_id,
    account_id,
    plan,
    upper(currency) as currency,
    seats,
    mrr,
    is_trial,
    period_start,
    period_end,
    renewal_date
from source
