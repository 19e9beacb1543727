{#- Account-health rules evaluated as data: see dbt_project/health_rules.yml. -#}

{#- Whether `value` is past `threshold` in the direction of the rule's operator (<, <=, >, >=). -#}
{% macro health_rule_breached(value, operator, threshold) -%}
    case {{ operator }}
        when '<' then {{ value }} < {{ threshold }}
        when '<=' then {{ value }} <= {{ threshold }}
        when '>' then {{ value }} > {{ threshold }}
        when '>=' then {{ value }} >= {{ threshold }}
    end
{%- endmacro %}

{#- The words of an operator in a reason: "seat utilization 18% (under 50%)". -#}
{% macro health_operator_words(operator) -%}
    case {{ operator }} when '<' then 'under' when '<=' then 'at most' when '>' then 'over' else 'at least' end
{%- endmacro %}

{#- A number as people write it: at most one decimal, none when it is whole; fractions as percentages. -#}
{% macro health_value_text(value, unit) -%}
    {%- set shown = 'case when ' ~ unit ~ " = 'percent' then 100 * (" ~ value ~ ') else ' ~ value ~ ' end' -%}
    {{ dbt.concat([
        'case when round(' ~ shown ~ ', 1) = round(' ~ shown ~ ', 0) then cast(cast(round(' ~ shown ~ ', 0) as '
            ~ dbt.type_bigint() ~ ') as ' ~ dbt.type_string() ~ ') else cast(round(' ~ shown ~ ', 1) as '
            ~ dbt.type_string() ~ ') end',
        'case when ' ~ unit ~ " = 'percent' then '%' else '' end"
    ]) }}
{%- endmacro %}
