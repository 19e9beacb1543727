-- Salesforce accounts, each as its current version. Region and employee band are the custom fields
-- Region__c and Employee_Band__c (Fivetran lands them as region_c, employee_band_c); the CSM is the owner.
with account as (
    {{ current_rows(source('salesforce', 'account'), 'id') }}
)

select
    id as account_id,
    name as account_name,
    industry,
    region_c as region,
    employee_band_c as employee_band,
    owner_id as csm_owner,
    coalesce(is_deleted, false) as is_deleted,
    created_date as created_at
from account
