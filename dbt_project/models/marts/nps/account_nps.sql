-- One row per account x quarter, over each respondent's latest response in the quarter.
with latest as (
    select * from {{ ref('int_nps_latest_responses') }} where period_type = 'quarter'
)

select
    cast(l.account_id as {{ dbt.type_string() }}) as account_id,
    cast(l.period_start as date) as quarter,
    cast(count(*) as bigint) as respondents,
    cast(sum(case when l.category = 'promoter' then 1 else 0 end) as bigint) as promoters,
    cast(sum(case when l.category = 'passive' then 1 else 0 end) as bigint) as passives,
    cast(sum(case when l.category = 'detractor' then 1 else 0 end) as bigint) as detractors,
    cast(100.0 * (sum(case when l.category = 'promoter' then 1 else 0 end)
                  - sum(case when l.category = 'detractor' then 1 else 0 end)) / count(*) as {{ type_double() }}) as account_nps,
    cast(avg(l.score) as {{ type_double() }}) as mean_score,
    cast(case when avg(l.score) >= 9 then 'promoter' when avg(l.score) < 7 then 'detractor' else 'passive' end as {{ dbt.type_string() }})
        as account_category,
    cast(p.is_complete as boolean) as is_complete
from latest as l
inner join {{ ref('int_calendar_periods') }} as p on p.period_type = 'quarter' and p.period_start = l.period_start
group by l.account_id, l.period_start, p.is_complete
