{#- The first day an incremental daily model rebuilds: the earliest day that received rows since its
    last build (late data included, however late), or the late-data lookback before its latest day,
    whichever is earlier. Everything from that day on is deleted and rebuilt. -#}
{% macro rebuild_from_day(source_relation, day_expression, loaded_column='loaded_at') -%}
    (select least(
        coalesce(
            (select min({{ day_expression }}) from {{ source_relation }}
             where {{ loaded_column }} > (select max({{ loaded_column }}) from {{ this }})),
            cast('9999-12-31' as date)),
        (select cast({{ dbt.dateadd('day', -(var('lookback_days') | int), 'max(day)') }} as date) from {{ this }})
    ))
{%- endmacro %}
