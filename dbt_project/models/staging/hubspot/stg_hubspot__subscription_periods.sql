-- HubSpot deals as canonical subscription periods (macro contract_periods: those in a closed-won stage and
-- the trials by dealtype), each at its latest synced row and not deleted, a contract of the company its
-- deal_company association names, its close date (else its creation) the
-- contract's start where no start is given. Its MRR is HubSpot's hs_mrr where set; the
-- contract dates, term, renewal date, seats and plan are custom properties (contract_start_date,
-- contract_end_date, contract_term, renewal_date, seats, plan).
with deal as (
    {{ current_rows(source('hubspot', 'deal'), 'deal_id', version_order='_fivetran_synced desc nulls last') }}
),

stage as (
    {{ current_rows(source('hubspot', 'deal_pipeline_stage'), 'stage_id', version_order='_fivetran_synced desc nulls last') }}
),

contracts as (
    select
        deal.deal_id as subscription_id,
        deal._account_id as account_id,
        deal.property_plan as plan,
        deal.property_seats as seats,
        deal.property_deal_currency_code as currency,
        deal.property_dealtype as deal_type,
        coalesce(stage.closed_won, false) as is_won,
        deal.property_amount as amount,
        deal.property_hs_mrr as given_mrr,
        deal.property_contract_term as term_months,
        deal.property_contract_start_date as contract_start,
        deal.property_contract_end_date as contract_end,
        deal.property_renewal_date as renewal,
        coalesce(deal.property_closedate, deal.property_createdate) as close_date
    from deal
    left join stage
        on stage.stage_id = deal.deal_pipeline_stage_id
        and not coalesce(stage._fivetran_deleted, false)
    where not coalesce(deal.is_deleted, false)
)

{{ contract_periods('contracts') }}
