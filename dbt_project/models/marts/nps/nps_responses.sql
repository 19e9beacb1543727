-- One row per valid response; e-mail addresses and phone numbers in comments are redacted.
with latest_in_month as (
    select response_id from {{ ref('int_nps_latest_responses') }} where period_type = 'month'
)

select
    cast(r.response_id as {{ dbt.type_string() }}) as response_id,
    cast(r.survey_id as {{ dbt.type_string() }}) as survey_id,
    cast(r.user_id as {{ dbt.type_string() }}) as user_id,
    cast(r.account_id as {{ dbt.type_string() }}) as account_id,
    cast(r.responded_at as timestamp) as responded_at,
    cast(r.score as integer) as score,
    cast(r.category as {{ dbt.type_string() }}) as category,
    cast(r.channel as {{ dbt.type_string() }}) as channel,
    cast({{ redact_personal_data('r.comment') }} as {{ dbt.type_string() }}) as comment,
    cast(r.plan as {{ dbt.type_string() }}) as plan,
    cast(r.industry as {{ dbt.type_string() }}) as industry,
    cast(l.response_id is not null as boolean) as is_latest_in_month,
    cast(r.user_was_active_28d as boolean) as user_was_active_28d
from {{ ref('int_nps_responses') }} as r
left join latest_in_month as l on l.response_id = r.response_id
