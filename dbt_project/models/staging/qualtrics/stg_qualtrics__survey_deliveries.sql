-- A distribution sending a survey to a directory contact is a delivery of that survey to the CRM contact
-- landing matched by the directory contact's e-mail; test distributions are not deliveries. A distribution
-- of type SMS is an sms delivery, any other an email one. Distributions not yet sent (no sent_at) are not.
with distribution as (
    select id, survey_link_survey_id as survey_id, upper(coalesce(request_type, '')) as request_type
    from {{ source('qualtrics', 'distribution') }}
    where not coalesce(_fivetran_deleted, false)
),

contact as (
    select distinct id, _user_id from {{ source('qualtrics', 'directory_contact') }}
)

select
    {{ dbt.concat(["sent.distribution_id", "':'", "sent.contact_id"]) }} as delivery_id,
    distribution.survey_id,
    contact._user_id as user_id,
    case when distribution.request_type like '%SMS%' then 'sms' else 'email' end as channel,
    sent.sent_at
from {{ source('qualtrics', 'distribution_contact') }} as sent
join distribution on distribution.id = sent.distribution_id
join contact on contact.id = sent.contact_id
where sent.sent_at is not null
    and distribution.request_type not like 'TEST%'
    and distribution.survey_id is not null
