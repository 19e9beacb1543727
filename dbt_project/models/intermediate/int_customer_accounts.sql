-- Customer accounts: deleted accounts are excluded from every metric.
select
    account_id,
    account_name,
    industry,
    region,
    employee_band,
    created_at
from {{ ref('int_accounts') }}
where not is_deleted
