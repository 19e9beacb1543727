-- A ticket's history in the canonical shape: its comments (an agent's or admin's is the agent's, an end
-- user's the customer's) and its status changes from the field history. A change without a user is the system's.
with ticket as (
    select id from {{ source('zendesk', 'ticket') }}
    where status <> 'deleted'
),

users as (
    select
        id,
        case role when 'end-user' then 'end_user' else 'agent' end as author_role
    from {{ source('zendesk', 'user') }}
),

comments as (
    select
        {{ dbt.concat(["'comment:'", 'comment.id']) }} as event_id,
        comment.ticket_id,
        'comment' as kind,
        coalesce(users.author_role, 'system') as author_role,
        cast(null as {{ dbt.type_string() }}) as new_status,
        comment.public as is_public,
        comment.created as occurred_at
    from {{ source('zendesk', 'ticket_comment') }} as comment
    left join users on users.id = comment.user_id
),

status_changes as (
    select
        {{ dbt.concat(["'status:'", 'change.ticket_id', "':'", dbt.cast('change.updated', dbt.type_string()), "':'", 'lower(change.value)']) }} as event_id,
        change.ticket_id,
        'status_change' as kind,
        coalesce(users.author_role, 'system') as author_role,
        case lower(change.value) when 'hold' then 'on_hold' else lower(change.value) end as new_status,
        cast(null as {{ dbt.type_boolean() }}) as is_public,
        change.updated as occurred_at
    from {{ source('zendesk', 'ticket_field_history') }} as change
    left join users on users.id = change.user_id
    where change.field_name = 'status'
)

select events.*
from (
    select * from comments
    union all
    select * from status_changes
) as events
inner join ticket on ticket.id = events.ticket_id
