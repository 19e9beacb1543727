-- A ticket's history in the canonical shape. Status changes are the changes of its pipeline stage
-- (ticket_property_history, hs_pipeline_stage), with the stage's canonical status; a change made in
-- HubSpot's own screens is an agent's, any other (workflows, automation, integrations) the system's.
-- Comments are the e-mails and notes associated with the ticket: an outgoing or forwarded e-mail is an
-- agent's public reply, an incoming one the customer's, a note an agent's internal comment.
with ticket as (
    select id, property_hs_pipeline as pipeline_id
    from ({{ current_rows(source('hubspot', 'ticket'), 'id', version_order='_fivetran_synced desc nulls last') }}) as current_ticket
    where not coalesce(is_deleted, false)
),

linked as (
    select distinct ticket_id, engagement_id from {{ source('hubspot', 'ticket_engagement') }}
),

engagements as (
    select
        engagement_id,
        property_hs_timestamp,
        case when upper(property_hs_email_direction) = 'INCOMING_EMAIL' then 'end_user' else 'agent' end as author_role,
        true as is_public,
        _fivetran_deleted
    from {{ source('hubspot', 'engagement_email') }}
    union all
    select engagement_id, property_hs_timestamp, 'agent', false, _fivetran_deleted
    from {{ source('hubspot', 'engagement_note') }}
),

comments as (
    select
        {{ dbt.concat(["'engagement:'", 'linked.ticket_id', "':'", 'engagements.engagement_id']) }} as event_id,
        linked.ticket_id,
        'comment' as kind,
        engagements.author_role,
        cast(null as {{ dbt.type_string() }}) as new_status,
        engagements.is_public,
        engagements.property_hs_timestamp as occurred_at
    from engagements
    join linked on linked.engagement_id = engagements.engagement_id
    where not coalesce(engagements._fivetran_deleted, false)
),

-- Fivetran's history mode lands a change once per version of the history row: each change counts once
changes as (
    select ticket_id, value, timestamp_instant, min(source) as source
    from {{ source('hubspot', 'ticket_property_history') }}
    where name = 'hs_pipeline_stage'
    group by ticket_id, value, timestamp_instant
),

status_changes as (
    select
        {{ dbt.concat(["'status:'", 'changes.ticket_id', "':'", dbt.cast('changes.timestamp_instant', dbt.type_string()), "':'", 'changes.value']) }} as event_id,
        changes.ticket_id,
        'status_change' as kind,
        case when upper(changes.source) in ('CRM_UI', 'MOBILE_IOS', 'MOBILE_ANDROID') then 'agent' else 'system' end as author_role,
        {{ hubspot_stage_status() }} as new_status,
        cast(null as {{ dbt.type_boolean() }}) as is_public,
        changes.timestamp_instant as occurred_at
    from changes
    join ticket on ticket.id = changes.ticket_id
    {{ hubspot_stage_joins('changes.value', 'ticket.pipeline_id') }}
)

select events.*
from (
    select * from comments
    union all
    select * from status_changes
) as events
inner join ticket on ticket.id = events.ticket_id
