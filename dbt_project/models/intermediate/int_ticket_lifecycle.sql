-- Per ticket, from its history: the first public agent reply, replies, solves and reopens.
with events as (
    select
        ticket_id,
        event_id,
        kind,
        author_role,
        is_public,
        new_status,
        occurred_at,
        lag(new_status) over (
            partition by ticket_id, kind order by occurred_at, event_id
        ) as previous_status
    from {{ ref('int_ticket_events') }}
)

select
    ticket_id,
    min(case when kind = 'comment' and author_role = 'agent' and is_public then occurred_at end) as first_reply_at,
    count(case when kind = 'comment' and author_role = 'agent' and is_public then 1 end) as agent_replies,
    min(case when kind = 'status_change' and new_status = 'solved' then occurred_at end) as first_solved_at,
    max(case when kind = 'status_change' and new_status = 'solved' then occurred_at end) as last_solved_at,
    count(case when kind = 'status_change' and previous_status = 'solved'
               and new_status not in ('solved', 'closed') then 1 end) as reopens
from events
group by ticket_id
