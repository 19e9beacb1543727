-- Qualtrics responses as NPS responses: a response's score is its answer to its survey's NPS question, the
-- answer landing marked `_nps_answer` (and quarantined unless a whole number from 0 to 10); a response that did
-- not answer one is not an NPS response. The comment is its first non-empty answer to a text-entry question
-- (question_type TE) of the survey, by question id. The respondent is the CRM contact landing matched by
-- e-mail; the account is the contact's.
-- Channels: email; smsinvite as sms; the survey's link, personal links, QR codes and social posts as link;
-- app (collected in the product) as in_app.
with question as (
    select survey_id, id, upper(question_type) as question_type
    from {{ source('qualtrics', 'question') }}
    where not coalesce(_fivetran_deleted, false)
),

answers as (
    select
        response.id as response_id,
        question.question_type,
        answer.question_id,
        answer._nps_answer as is_nps_answer,
        answer.value
    from {{ source('qualtrics', 'survey_response') }} as response
    join {{ source('qualtrics', 'question_response') }} as answer on answer.response_id = response.id
    left join question on question.survey_id = response.survey_id and question.id = answer.question_id
),

scores as (
    select response_id, min(trim(value)) as value
    from answers
    where is_nps_answer
    group by response_id
),

comments as (
    select response_id, value as comment,
        row_number() over (partition by response_id order by question_id) as nth
    from answers
    where question_type = 'TE' and nullif(trim(value), '') is not null
)

select
    response.id as response_id,
    response.survey_id,
    response._user_id as user_id,
    cast(null as {{ dbt.type_string() }}) as account_id,
    case
        when response.distribution_channel = 'email' then 'email'
        when response.distribution_channel = 'smsinvite' then 'sms'
        when response.distribution_channel = 'app' then 'in_app'
        else 'link'
    end as channel,
    comments.comment,
    cast(scores.value as integer) as score,
    response.recorded_date as responded_at
from {{ source('qualtrics', 'survey_response') }} as response
join scores on scores.response_id = response.id
left join comments on comments.response_id = response.id and comments.nth = 1
