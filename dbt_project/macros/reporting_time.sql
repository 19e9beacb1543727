{#- Timestamps are stored as UTC without a zone; periods are calendar periods in the reporting zone. -#}

{% macro to_reporting_time(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_reporting_time', 'prodops')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_reporting_time(utc_timestamp) -%}
    convert_timezone('UTC', '{{ var("reporting_timezone") }}', {{ utc_timestamp }})
{%- endmacro %}

{% macro duckdb__to_reporting_time(utc_timestamp) -%}
    timezone('{{ var("reporting_timezone") }}', timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro spark__to_reporting_time(utc_timestamp) -%}
    from_utc_timestamp({{ utc_timestamp }}, '{{ var("reporting_timezone") }}')
{%- endmacro %}

{#- The reporting-zone calendar day of a UTC timestamp. -#}
{% macro reporting_day(utc_timestamp) -%}
    cast({{ to_reporting_time(utc_timestamp) }} as date)
{%- endmacro %}

{#- First day of the period (month, quarter, year) holding a date, as a date. -#}
{% macro period_start(datepart, date_expr) -%}
    cast({{ dbt.date_trunc(datepart, date_expr) }} as date)
{%- endmacro %}

{#- First day of the next period: the exclusive end of the period starting at period_start. -#}
{% macro period_end(datepart, period_start_expr) -%}
    cast({{ dbt.dateadd(datepart, 1, period_start_expr) }} as date)
{%- endmacro %}
