with source as (
    select * from {{ source('prodops', 'survey_responses') }}
)

select
    response_id,
    survey_id,
    user_id,
    account_id,
    channel,
    comment,
    cast(score as integer) as score,
    responded_at
from source
