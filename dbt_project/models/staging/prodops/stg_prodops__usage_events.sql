with source as (
    select * from {{ source('prodops', 'usage_events') }}
),

renamed as (
    select
        event_id,
        user_id,
        account_id,
        feature_key,
        event_name,
        page,
        platform,
        properties,
        occurred_at,
        received_at,
        _loaded_at as loaded_at,
        row_number() over (
            partition by event_id
            order by received_at nulls last, _loaded_at, _source_file
        ) as delivery_number
    from source
)

-- a repeated event_id is the same event delivered twice: the first received wins
select
    event_id,
    user_id,
    account_id,
    feature_key,
    event_name,
    page,
    platform,
    properties,
    occurred_at,
    received_at,
    loaded_at
from renamed
where delivery_number = 1
