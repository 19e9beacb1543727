-- Pendo's tagged features, each at its latest version. Pendo has no retirement date: retired_at is empty
-- (docs/metrics.md, "Pendo"). Released = the day the feature was tagged; core = Pendo's core-event flag.
with feature as (
    {{ current_rows(source('pendo', 'feature_history'), 'id', 'last_updated_at desc nulls last') }}
),

product_area as (
    select id, name from {{ source('pendo', 'group') }}
)

select
    feature.id as feature_key,
    feature.name as feature_name,
    product_area.name as product_area,
    coalesce(feature.is_core_event, false) as is_core,
    cast(feature.created_at as date) as released_at,
    cast(null as date) as retired_at
from feature
left join product_area on product_area.id = feature.group_id
