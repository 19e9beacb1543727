-- Zendesk tickets in the canonical shape. Deleted tickets are left out, as Zendesk's own views do. The
-- account is the one landing mapped the organization to; the requester is the CRM contact named by the
-- Zendesk user's external_id (none: no requester). CSAT is the latest satisfaction_score of the field history.
with ticket as (
    select * from {{ source('zendesk', 'ticket') }}
    where status <> 'deleted'
),

requester as (
    select id, external_id from {{ source('zendesk', 'user') }}
),

tags as (
    select ticket_id, {{ sorted_list_agg('lower(tag)') }} as tags
    from {{ source('zendesk', 'ticket_tag') }}
    group by ticket_id
),

satisfaction as (
    select ticket_id, value
    from (
        select
            ticket_id,
            lower(value) as value,
            row_number() over (partition by ticket_id order by updated desc) as newest
        from {{ source('zendesk', 'ticket_field_history') }}
        where field_name = 'satisfaction_score'
    ) as changes
    where newest = 1
)

select
    ticket.id as ticket_id,
    ticket._account_id as account_id,
    requester.external_id as requester_id,
    ticket.custom_feature_key as feature_key,
    case ticket.status when 'hold' then 'on_hold' else ticket.status end as status,
    ticket.priority,
    ticket.type,
    case
        when ticket.via_channel in ('email', 'web', 'chat', 'api') then ticket.via_channel
        when ticket.via_channel = 'voice' then 'phone'
    end as channel,
    ticket.subject,
    case
        when satisfaction.value in ('good', 'goodwithcomment') then 'good'
        when satisfaction.value in ('bad', 'badwithcomment') then 'bad'
        when satisfaction.value in ('offered', 'unoffered') then satisfaction.value
    end as satisfaction,
    tags.tags,
    coalesce({{ list_has('tags.tags', "'bug'") }}, false) as is_bug,
    coalesce({{ list_has('tags.tags', "'feature_request'") }}, false) as is_feature_request,
    ticket.created_at
from ticket
left join requester on requester.id = ticket.requester_id
left join tags on tags.ticket_id = ticket.id
left join satisfaction on satisfaction.ticket_id = ticket.id
