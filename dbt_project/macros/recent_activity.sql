{#- Per row of `relation`: whether its user had a usage event (as a customer user at a customer
    account) in the `days` before its `at` time. Rendered as a query returning `id_column` and
    `user_was_active_<days>d`.
    It reads the user-day fact rather than the events: an event in [at - days, at) lies on a day from
    the day of `at - days` to the day of `at`; on the first of those days it is the day's last event
    that must be late enough, on the last the day's first that must be early enough, and every day
    between lies wholly inside. -#}
{% macro user_was_active_before(relation, id_column, at_column, days=28) -%}
    {%- set window_start = dbt.dateadd('day', -days, 'r.' ~ at_column) -%}
    select r.{{ id_column }}, count(d.day) > 0 as user_was_active_{{ days }}d
    from {{ relation }} as r
    left join {{ ref('int_user_activity_daily') }} as d
        on d.user_id = r.user_id
        and d.day between {{ reporting_day(window_start) }} and {{ reporting_day('r.' ~ at_column) }}
        and d.last_event_at >= {{ window_start }}
        and d.first_event_at < r.{{ at_column }}
    group by r.{{ id_column }}
{%- endmacro %}
