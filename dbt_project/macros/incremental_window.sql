{#- The first day an incremental daily model rebuilds, the earliest of: the earliest day that received
    rows since its last build (late data included, however late); the late-data lookback before its
    latest day; and the lookback before the first day of the partitions the run materializes (var
    first_day, set by Dagster), so that a backfill of past days rebuilds them. Everything from that
    day on is deleted and rebuilt. -#}
{% macro rebuild_from_day(source_relation, day_expression, loaded_column='loaded_at') -%}
    {%- set lookback = -(var('lookback_days') | int) -%}
    (select least(
        coalesce(
            (select min({{ day_expression }}) from {{ source_relation }}
             where {{ loaded_column }} > (select max({{ loaded_column }}) from {{ this }})),
            cast('9999-12-31' as date)),
        (select cast({{ dbt.dateadd('day', lookback, 'max(day)') }} as date) from {{ this }})
        {%- if var('first_day') %},
        cast({{ dbt.dateadd('day', lookback, "cast('" ~ var('first_day') ~ "' as date)") }} as date)
        {%- endif %}
    ))
{%- endmacro %}
