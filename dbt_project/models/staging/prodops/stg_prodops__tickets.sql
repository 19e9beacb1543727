with source as (
    select * from {{ source('prodops', 'tickets') }}
)

select
    ticket_id,
    account_id,
    requester_id,
    feature_key,
    status,
    priority,
    type,
    channel,
    subject,
    satisfaction,
    tags,
    coalesce({{ list_has('tags', "'bug'") }}, false) as is_bug,
    coalesce({{ list_has('tags', "'feature_request'") }}, false) as is_feature_request,
    created_at
from source
