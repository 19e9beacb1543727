-- One row per ticket of a customer account (tickets requested by our own staff are excluded).
-- Durations are calendar minutes.
with tickets as (
    select t.*
    from {{ ref('int_tickets') }} as t
    inner join {{ ref('int_customer_accounts') }} as a on a.account_id = t.account_id
    left join {{ ref('int_contacts') }} as c on c.user_id = t.requester_id
    where not coalesce(c.is_internal, false)
)

select
    cast(t.ticket_id as {{ dbt.type_string() }}) as ticket_id,
    cast(t.account_id as {{ dbt.type_string() }}) as account_id,
    cast(t.created_at as timestamp) as created_at,
    cast(t.priority as {{ dbt.type_string() }}) as priority,
    cast(t.type as {{ dbt.type_string() }}) as type,
    cast(t.channel as {{ dbt.type_string() }}) as channel,
    cast(t.is_bug as boolean) as is_bug,
    cast(t.is_feature_request as boolean) as is_feature_request,
    cast(t.feature_key as {{ dbt.type_string() }}) as feature_key,
    cast(l.first_reply_at as timestamp) as first_reply_at,
    cast({{ dbt.datediff('t.created_at', 'l.first_reply_at', 'second') }} as {{ type_double() }}) / 60 as first_reply_minutes,
    cast(coalesce(l.agent_replies, 0) as bigint) as agent_replies,
    cast(l.first_solved_at as timestamp) as first_solved_at,
    cast(l.last_solved_at as timestamp) as last_solved_at,
    cast({{ dbt.datediff('t.created_at', 'l.last_solved_at', 'second') }} as {{ type_double() }}) / 60 as full_resolution_minutes,
    cast(coalesce(l.reopens, 0) as bigint) as reopens,
    -- its one public agent reply made by the first solve (a reply submitted with the solve shares its time)
    cast(l.last_solved_at is not null and coalesce(l.agent_replies, 0) = 1 and l.first_reply_at <= l.first_solved_at
         as boolean) as is_one_touch,
    cast(t.satisfaction as {{ dbt.type_string() }}) as satisfaction,
    cast(t.status as {{ dbt.type_string() }}) as current_status
from tickets as t
left join {{ ref('int_ticket_lifecycle') }} as l on l.ticket_id = t.ticket_id
