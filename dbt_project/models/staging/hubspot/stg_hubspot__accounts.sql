-- HubSpot companies, each as its latest synced row. Region and employee band are the custom properties
-- region and employee_band (HubSpot has none built in); the CSM is the company owner.
with company as (
    {{ current_rows(source('hubspot', 'company'), 'id', version_order='_fivetran_synced desc nulls last') }}
)

select
    id as account_id,
    property_name as account_name,
    property_industry as industry,
    property_region as region,
    property_employee_band as employee_band,
    property_hubspot_owner_id as csm_owner,
    coalesce(is_deleted, false) as is_deleted,
    property_createdate as created_at
from company
