-- One row per month: MRR bridged from the previous month-end to this one, gross and net revenue
-- retention over the month, and over the trailing twelve months.
with movements as (
    select * from {{ ref('mrr_movements') }}
),

bridge as (
    select
        month,
        max(case when is_complete then 1 else 0 end) = 1 as is_complete,
        sum(previous_mrr) as starting_mrr,
        sum(case when movement = 'new' then mrr else 0 end) as new_mrr,
        sum(case when movement = 'reactivation' then mrr else 0 end) as reactivation_mrr,
        sum(case when movement = 'expansion' then mrr - previous_mrr else 0 end) as expansion_mrr,
        sum(case when movement = 'contraction' then previous_mrr - mrr else 0 end) as contraction_mrr,
        sum(case when movement = 'churn' then previous_mrr else 0 end) as churned_mrr,
        sum(mrr) as ending_mrr
    from movements
    group by month
),

twelve_months as (
    select
        now_m.month,
        sum(now_m.mrr) as mrr_now,
        sum(case when now_m.mrr < then_m.mrr then now_m.mrr else then_m.mrr end) as mrr_kept,
        sum(then_m.mrr) as mrr_then
    from movements as now_m
    inner join movements as then_m
        on then_m.account_id = now_m.account_id
        and then_m.month = cast({{ dbt.dateadd('month', -12, 'now_m.month') }} as date)
        and then_m.mrr > 0
    group by now_m.month
)

select
    cast(b.month as date) as month,
    cast(b.starting_mrr as decimal(18, 4)) as starting_mrr,
    cast(b.new_mrr as decimal(18, 4)) as new_mrr,
    cast(b.reactivation_mrr as decimal(18, 4)) as reactivation_mrr,
    cast(b.expansion_mrr as decimal(18, 4)) as expansion_mrr,
    cast(b.contraction_mrr as decimal(18, 4)) as contraction_mrr,
    cast(b.churned_mrr as decimal(18, 4)) as churned_mrr,
    cast(b.ending_mrr as decimal(18, 4)) as ending_mrr,
    cast(case when b.is_complete then {{ safe_divide('b.starting_mrr - b.contraction_mrr - b.churned_mrr', 'b.starting_mrr') }} end as {{ type_double() }}) as grr,
    cast(case when b.is_complete then {{ safe_divide('b.starting_mrr + b.expansion_mrr - b.contraction_mrr - b.churned_mrr', 'b.starting_mrr') }} end as {{ type_double() }}) as nrr,
    cast(case when b.is_complete then {{ safe_divide('t.mrr_now', 't.mrr_then') }} end as {{ type_double() }}) as nrr_12m,
    cast(case when b.is_complete then {{ safe_divide('t.mrr_kept', 't.mrr_then') }} end as {{ type_double() }}) as grr_12m,
    cast(b.is_complete as boolean) as is_complete
from bridge as b
left join twelve_months as t on t.month = b.month
