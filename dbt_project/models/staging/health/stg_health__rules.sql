with source as (
    select * from {{ source('health', 'rules') }}
)

select
    rule_name,
    input,
    label,
    operator,
    unit,
    position,
    warn_threshold,
    poor_threshold,
    weight,
    is_critical
from source
