{#- Pendo lands every poll's answers in one column: the answers to NPS polls that are not a whole number from
    0 to 10 have no score, so the responses model leaves them out; this test (a warning) counts them. -#}
{% test pendo_nps_answers_are_scores(model) %}
select answer.poll_response
from {{ source('pendo', 'poll_event') }} as answer
join {{ source('pendo', 'poll') }} as poll on poll.id = answer.poll_id
where {{ is_pendo_nps_poll('poll.attribute_type') }}
    and not coalesce({{ is_nps_score('answer.poll_response') }}, false)
{% endtest %}
