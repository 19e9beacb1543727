-- HubSpot contacts, each as its latest synced row; a contact Fivetran marks deleted is left out. The contact
-- id is the user id usage events and surveys carry; its account is its associated company. The custom
-- property is_internal marks our own staff (left out of every customer metric).
with contact as (
    {{ current_rows(source('hubspot', 'contact'), 'id', version_order='_fivetran_synced desc nulls last') }}
)

select
    id as user_id,
    property_associatedcompanyid as account_id,
    property_email as email,
    property_jobtitle as role,
    coalesce(property_is_internal, false) as is_internal,
    property_createdate as created_at
from contact
where not coalesce(_fivetran_deleted, false)
