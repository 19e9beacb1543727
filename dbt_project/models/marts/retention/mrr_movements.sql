-- One row per account x month from its first paying month: month-end MRR, the previous month's,
-- and the movement between them.
with months as (
    select
        account_id,
        month_start,
        is_complete,
        mrr,
        lag(mrr) over (partition by account_id order by month_start) as previous_mrr_raw,
        min(case when mrr > 0 then month_start end) over (partition by account_id) as first_paying_month,
        max(case when mrr > 0 then 1 else 0 end) over (
            partition by account_id order by month_start rows between unbounded preceding and 1 preceding
        ) as paid_before
    from {{ ref('int_account_months') }}
)

select
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(month_start as date) as month,
    cast(mrr as decimal(18, 4)) as mrr,
    cast(coalesce(previous_mrr_raw, 0) as decimal(18, 4)) as previous_mrr,
    cast(case
        when coalesce(previous_mrr_raw, 0) = 0 and mrr > 0 and coalesce(paid_before, 0) = 0 then 'new'
        when coalesce(previous_mrr_raw, 0) = 0 and mrr > 0 then 'reactivation'
        when coalesce(previous_mrr_raw, 0) > 0 and mrr = 0 then 'churn'
        when mrr > coalesce(previous_mrr_raw, 0) then 'expansion'
        when mrr < coalesce(previous_mrr_raw, 0) then 'contraction'
        else 'unchanged'
    end as {{ dbt.type_string() }}) as movement,
    cast(mrr - coalesce(previous_mrr_raw, 0) as decimal(18, 4)) as mrr_change,
    cast(is_complete as boolean) as is_complete
from months
where month_start >= first_paying_month
