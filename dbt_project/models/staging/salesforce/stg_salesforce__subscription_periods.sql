-- Salesforce opportunities as canonical subscription periods (macro contract_periods: the won ones and the
-- trials), each at its current version and not deleted. Its seats
-- are its line items' quantities, its plan the product of its largest line item; the contract dates and term
-- and renewal date are the custom fields Contract_Start_Date__c, Contract_End_Date__c, Contract_Term__c and
-- Renewal_Date__c.
with opportunity as (
    {{ current_rows(source('salesforce', 'opportunity'), 'id') }}
),

line_item as (
    {{ current_rows(source('salesforce', 'opportunity_line_item'), 'id') }}
),

product as (
    {{ current_rows(source('salesforce', 'product_2'), 'id') }}
),

items as (
    select
        line_item.opportunity_id,
        line_item.quantity,
        product.name as product_name,
        row_number() over (
            partition by line_item.opportunity_id
            order by line_item.total_price desc nulls last, line_item.id
        ) as nth
    from line_item
    left join product
        on product.id = line_item.product_2_id
        and not coalesce(product.is_deleted, false)
    where not coalesce(line_item.is_deleted, false)
),

contracts as (
    select
        opportunity.id as subscription_id,
        opportunity.account_id,
        max(case when items.nth = 1 then items.product_name end) as plan,
        sum(items.quantity) as seats,
        opportunity.currency_iso_code as currency,
        opportunity.type as deal_type,
        coalesce(opportunity.is_won, false) as is_won,
        opportunity.amount,
        cast(null as decimal(18, 4)) as given_mrr,
        opportunity.contract_term_c as term_months,
        opportunity.contract_start_date_c as contract_start,
        opportunity.contract_end_date_c as contract_end,
        opportunity.renewal_date_c as renewal,
        opportunity.close_date
    from opportunity
    left join items on items.opportunity_id = opportunity.id
    where not coalesce(opportunity.is_deleted, false)
    group by opportunity.id, opportunity.account_id, opportunity.currency_iso_code, opportunity.type, opportunity.is_won,
        opportunity.amount, opportunity.contract_term_c, opportunity.contract_start_date_c,
        opportunity.contract_end_date_c, opportunity.renewal_date_c, opportunity.close_date
)

{{ contract_periods('contracts') }}
