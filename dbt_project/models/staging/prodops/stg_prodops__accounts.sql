with source as (
    select * from {{ source('prodops', 'accounts') }}
)

select
    account_id,
    account_name,
    industry,
    region,
    employee_band,
    csm_owner,
    coalesce(is_deleted, false) as is_deleted,
    created_at
from source
