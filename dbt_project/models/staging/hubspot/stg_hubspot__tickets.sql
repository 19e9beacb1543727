-- HubSpot tickets in the canonical shape; deleted tickets are left out. The account is the company landing
-- mapped the ticket to (its ticket_company association); the requester its first associated contact. The
-- status is its pipeline stage's (macro hubspot_stage_status).
-- Categories (a multi-select) are the tags: PRODUCT_ISSUE or BUG marks a bug, FEATURE_REQUEST a feature request.
-- Type, feature and CSAT are the custom properties ticket_type, feature_key and satisfaction.
with ticket as (
    {{ current_rows(source('hubspot', 'ticket'), 'id', version_order='_fivetran_synced desc nulls last') }}
),

requester as (
    select ticket_id, min(contact_id) as contact_id
    from {{ source('hubspot', 'ticket_contact') }}
    group by ticket_id
),

tickets as (
    select
        ticket.*,
        {{ split_list('lower(ticket.property_hs_ticket_category)', "';'") }} as tags,
        {{ hubspot_stage_status() }} as status
    from ticket
    {{ hubspot_stage_joins('ticket.property_hs_pipeline_stage', 'ticket.property_hs_pipeline') }}
    where not coalesce(ticket.is_deleted, false)
)

select
    tickets.id as ticket_id,
    tickets._account_id as account_id,
    requester.contact_id as requester_id,
    tickets.property_feature_key as feature_key,
    tickets.status,
    case upper(tickets.property_hs_ticket_priority)
        when 'LOW' then 'low' when 'MEDIUM' then 'normal' when 'HIGH' then 'high' when 'URGENT' then 'urgent'
    end as priority,
    tickets.property_ticket_type as type,
    case upper(tickets.property_source_type)
        when 'EMAIL' then 'email' when 'CHAT' then 'chat' when 'PHONE' then 'phone' when 'FORM' then 'web'
        when 'API' then 'api'
    end as channel,
    tickets.property_subject as subject,
    tickets.property_satisfaction as satisfaction,
    tickets.tags,
    coalesce({{ list_has('tickets.tags', "'product_issue'") }} or {{ list_has('tickets.tags', "'bug'") }}, false) as is_bug,
    coalesce({{ list_has('tickets.tags', "'feature_request'") }}, false) as is_feature_request,
    tickets.property_createdate as created_at
from tickets
left join requester on requester.ticket_id = tickets.id
