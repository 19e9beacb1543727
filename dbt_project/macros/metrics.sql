{#- Small metric helpers shared by every mart. -#}

{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
         else cast(({{ numerator }}) as double) / ({{ denominator }}) end
{%- endmacro %}

{% macro nps_category(score) -%}
    case when {{ score }} >= 9 then 'promoter' when {{ score }} >= 7 then 'passive' else 'detractor' end
{%- endmacro %}

{#- Continuous percentile as an aggregate (median is p = 0.5). -#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'prodops')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Free text with e-mail addresses and phone numbers replaced, the rest of the words kept. -#}
{% macro redact_personal_data(text) -%}
    {{ return(adapter.dispatch('redact_personal_data', 'prodops')(text)) }}
{%- endmacro %}

{% macro default__redact_personal_data(text) -%}
    regexp_replace(
        regexp_replace({{ text }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]'),
        '\+?[0-9][0-9 ().-]{6,}[0-9]', '[phone]')
{%- endmacro %}

{% macro duckdb__redact_personal_data(text) -%}
    regexp_replace(
        regexp_replace({{ text }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]', 'g'),
        '\+?[0-9][0-9 ().-]{6,}[0-9]', '[phone]', 'g')
{%- endmacro %}

{#- Whether a list (array) column holds a value. -#}
{% macro list_has(list_expression, value) -%}
    {{ return(adapter.dispatch('list_has', 'prodops')(list_expression, value)) }}
{%- endmacro %}

{% macro default__list_has(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro duckdb__list_has(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}
