with source as (
    select * from {{ source('prodops', 'ticket_events') }}
)

select
    event_id,
    ticket_id,
    kind,
    author_role,
    new_status,
    is_public,
    occurred_at
from source
