{#- A CRM's deals (opportunities, HubSpot deals) as canonical subscription periods: each won one, and each of
    the trial type (var crm_trial_type, any case) won or not, is one contract, one period: from its start (else its close date) to the day after its inclusive end (else its term in
    months later, the var crm_contract_months by default); it comes up for renewal on its renewal date, else
    when it ends. Its
    MRR is the given MRR, else the amount over the term; a trial has none. `contracts` is a relation with
    subscription_id, account_id, plan, seats, currency, deal_type, is_won, amount, given_mrr, term_months,
    contract_start, contract_end, renewal and close_date. -#}
{% macro contract_periods(contracts) -%}
select
    subscription_id as period_id,
    subscription_id,
    account_id,
    coalesce(plan, 'unspecified') as plan,
    coalesce(upper(currency), {{ "'" ~ var('deployment_currency') | upper ~ "'" if var('deployment_currency') else 'null' }}) as currency,
    cast(seats as {{ dbt.type_bigint() }}) as seats,
    cast(case
        when is_trial then 0
        else coalesce(round(coalesce(given_mrr, amount / term), 4), 0)
    end as decimal(18, 4)) as mrr,
    is_trial,
    period_start,
    period_end,
    coalesce(renewal, period_end) as renewal_date
from (
    select
        dated.*,
        cast(case
            when contract_end is not null then {{ dbt.dateadd('day', 1, 'contract_end') }}
            else {{ dbt.dateadd('month', 'term', 'period_start') }}
        end as date) as period_end
    from (
        select
            contracts.*,
            coalesce(contract_start, close_date) as period_start,
            coalesce(term_months, {{ var('crm_contract_months') }}) as term
        from (
            select
                deals.*,
                lower(coalesce(deal_type, '')) = '{{ var("crm_trial_type") | lower }}' as is_trial
            from {{ contracts }} as deals
        ) as contracts
        where is_won or is_trial
    ) as dated
) as periods
{%- endmacro %}
