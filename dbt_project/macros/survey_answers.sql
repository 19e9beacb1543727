{#- Vendors land survey answers as text: an NPS score is a whole number from 0 to 10 (NULL for NULL). -#}
{% macro is_nps_score(expression) -%}
    trim({{ expression }}) in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10')
{%- endmacro %}

{#- Qualtrics' Net Promoter question: question_type NPS, or MC with selector NPS, compared upper-case. -#}
{% macro is_qualtrics_nps_question(question_type, selector) -%}
    (upper({{ question_type }}) = 'NPS' or (upper({{ question_type }}) = 'MC' and upper({{ selector }}) = 'NPS'))
{%- endmacro %}


{#- Pendo's NPS poll: attribute_type NPSRating, compared lower-case. -#}
{% macro is_pendo_nps_poll(attribute_type) -%}
    lower({{ attribute_type }}) = 'npsrating'
{%- endmacro %}
