-- Each user's latest response in each month and quarter: only it counts in that period.
with periods as (
    select 'month' as period_type, month_start as period_start, * from {{ ref('int_nps_responses') }}
    union all
    select 'quarter' as period_type, quarter_start as period_start, * from {{ ref('int_nps_responses') }}
)

select *
from (
    select
        *,
        row_number() over (
            partition by period_type, period_start, user_id order by responded_at desc, response_id desc
        ) as recency
    from periods
) as ranked
where recency = 1
