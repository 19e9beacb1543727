with source as (
    select * from {{ source('health', 'bands') }}
)

select
    green_min,
    yellow_min
from source
