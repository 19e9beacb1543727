-- One row per customer user x customer account x feature x day with at least one feature_used event.
{{ config(materialized='view') }}

select d.*
from {{ ref('int_usage_feature_daily') }} as d
inner join {{ ref('int_customer_users') }} as u on d.user_id = u.user_id
inner join {{ ref('int_customer_accounts') }} as a on d.account_id = a.account_id
