with source as (
    select * from {{ source('prodops', 'features') }}
)

select
    feature_key,
    feature_name,
    product_area,
    is_core,
    released_at,
    retired_at
from source
