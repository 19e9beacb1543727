with source as (
    select * from {{ source('prodops', 'survey_deliveries') }}
)

select
    delivery_id,
    survey_id,
    user_id,
    channel,
    sent_at
from source
