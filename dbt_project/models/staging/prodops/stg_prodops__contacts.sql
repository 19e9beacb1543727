with source as (
    select * from {{ source('prodops', 'contacts') }}
)

select
    user_id,
    account_id,
    email,
    role,
    coalesce(is_internal, false) as is_internal,
    created_at
from source
