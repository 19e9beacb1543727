-- One row per quarter x from_category x to_category: users who answered in both the previous
-- quarter and this one, by the category of their latest response in each.
with latest as (
    select user_id, period_start, category
    from {{ ref('int_nps_latest_responses') }}
    where period_type = 'quarter'
)

select
    cast(now_q.period_start as date) as quarter,
    cast(before_q.category as {{ dbt.type_string() }}) as from_category,
    cast(now_q.category as {{ dbt.type_string() }}) as to_category,
    cast(count(*) as bigint) as users,
    cast(p.is_complete as boolean) as is_complete
from latest as now_q
inner join latest as before_q
    on before_q.user_id = now_q.user_id
    and before_q.period_start = cast({{ dbt.dateadd('quarter', -1, 'now_q.period_start') }} as date)
inner join {{ ref('int_calendar_periods') }} as p on p.period_type = 'quarter' and p.period_start = now_q.period_start
group by now_q.period_start, before_q.category, now_q.category, p.is_complete
