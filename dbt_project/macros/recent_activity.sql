{#- Per row of `relation`: whether its user had a usage event in the `days` before its `at` time.
    Rendered as a query returning `id_column` and `user_was_active_<days>d`. -#}
{% macro user_was_active_before(relation, id_column, at_column, days=28) -%}
    select r.{{ id_column }}, count(e.event_id) > 0 as user_was_active_{{ days }}d
    from {{ relation }} as r
    left join {{ ref('int_customer_events') }} as e
        on e.user_id = r.user_id
        and e.occurred_at >= {{ dbt.dateadd('day', -days, 'r.' ~ at_column) }}
        and e.occurred_at < r.{{ at_column }}
    group by r.{{ id_column }}
{%- endmacro %}
