-- Per account-week with answers: the NPS over the latest response of each of the account's users in
-- the 90 days ending on as_of_date.
with weeks as (
    select account_id, as_of_date from {{ ref('int_account_weeks') }}
),

latest as (
    select
        w.account_id,
        w.as_of_date,
        r.category,
        row_number() over (
            partition by w.account_id, w.as_of_date, r.user_id order by r.responded_at desc, r.response_id desc
        ) as recency
    from weeks as w
    inner join {{ ref('int_nps_responses') }} as r
        on r.account_id = w.account_id
        and r.response_day >= cast({{ dbt.dateadd('day', -89, 'w.as_of_date') }} as date)
        and r.response_day <= w.as_of_date
)

select
    account_id,
    as_of_date,
    count(*) as nps_respondents_90d,
    100.0 * (sum(case when category = 'promoter' then 1 else 0 end)
             - sum(case when category = 'detractor' then 1 else 0 end)) / count(*) as latest_account_nps
from latest
where recency = 1
group by account_id, as_of_date
