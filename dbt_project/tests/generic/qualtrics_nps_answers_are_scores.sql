{#- Qualtrics answers to an NPS question that are not a whole number from 0 to 10 have no score, so the
    responses model leaves their responses out; this test (a warning) counts them. -#}
{% test qualtrics_nps_answers_are_scores(model) %}
select answer.response_id
from {{ source('qualtrics', 'question_response') }} as answer
join {{ source('qualtrics', 'survey_response') }} as response on response.id = answer.response_id
join {{ source('qualtrics', 'question') }} as question
    on question.survey_id = response.survey_id and question.id = answer.question_id
where {{ is_qualtrics_nps_question('question.question_type', 'question.selector') }}
    and not coalesce({{ is_nps_score('answer.value') }}, false)
{% endtest %}
