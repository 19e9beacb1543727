{#- HubSpot ticket pipeline stages. A stage id is looked up in the ticket's pipeline, else by id alone (the
    ticket moved pipelines, or its pipeline is not landed): joins giving `own_stage` and `any_stage`. -#}
{% macro hubspot_stage_joins(stage_id, pipeline_id) -%}
    left join (
        select stage_id, pipeline_id, label, ticket_state
        from {{ source('hubspot', 'ticket_pipeline_stage') }}
        where not coalesce(_fivetran_deleted, false)
    ) as own_stage on own_stage.stage_id = {{ stage_id }} and own_stage.pipeline_id = {{ pipeline_id }}
    left join (
        select stage_id, min(label) as label, min(ticket_state) as ticket_state
        from {{ source('hubspot', 'ticket_pipeline_stage') }}
        where not coalesce(_fivetran_deleted, false)
        group by stage_id
    ) as any_stage on any_stage.stage_id = {{ stage_id }}
{%- endmacro %}

{#- The canonical status of the stage those joins found: by its label, HubSpot's default stages and ours (New;
    Waiting on us = open; Waiting on contact = pending; On hold; Solved; Closed), else by its ticket_state (a
    CLOSED stage is closed, any other open). -#}
{% macro hubspot_stage_status() -%}
    {%- set label = "lower(trim(coalesce(own_stage.label, any_stage.label)))" -%}
    case
        when {{ label }} = 'new' then 'new'
        when {{ label }} in ('open', 'waiting on us', 'in progress') then 'open'
        when {{ label }} in ('pending', 'waiting on contact', 'waiting on customer') then 'pending'
        when {{ label }} in ('on hold', 'on_hold') then 'on_hold'
        when {{ label }} in ('solved', 'resolved') then 'solved'
        when {{ label }} = 'closed' then 'closed'
        when upper(coalesce(own_stage.ticket_state, any_stage.ticket_state)) = 'CLOSED' then 'closed'
        else 'open'
    end
{%- endmacro %}
