-- One row per customer user x customer account x feature x reporting month with feature use.
{{ config(materialized='view') }}

select m.*
from {{ ref('int_usage_feature_monthly') }} as m
inner join {{ ref('int_customer_users') }} as u on m.user_id = u.user_id
inner join {{ ref('int_customer_accounts') }} as a on m.account_id = a.account_id
