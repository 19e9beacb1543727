-- Salesforce contacts, each as its current version: the contact id is the user id usage events and
-- surveys carry. Is_Internal__c marks our own staff (left out of every customer metric).
with contact as (
    {{ current_rows(source('salesforce', 'contact'), 'id') }}
)

select
    id as user_id,
    account_id,
    email,
    title as role,
    coalesce(is_internal_c, false) as is_internal,
    created_date as created_at
from contact
