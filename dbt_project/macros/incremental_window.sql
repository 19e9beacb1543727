{#- The first day an incremental daily model rebuilds, the earliest of: the earliest day that received
    rows since its last build (late data included, however late); the late-data lookback before its
    latest day; and the lookback before the first day of the partitions the run materializes (var
    first_day, set by Dagster), so that a backfill of past days rebuilds them; and, when
    `required_column` is given, the earliest day whose rows lack it (rows built before the column was
    added to the model: all of them when the table does not have it yet). Everything from that day on
    is deleted and rebuilt.
    It is computed before the model runs and returned as a date literal, so that DuckDB can skip the
    row groups before it instead of scanning the whole table. -#}
{% macro rebuild_from_day(source_relation, day_expression, loaded_column='loaded_at', required_column=none) -%}
    {%- set lookback = -(var('lookback_days') | int) -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list
                      if execute and required_column else [] -%}
    {%- set query -%}
    select least(
        coalesce(
            (select min({{ day_expression }}) from {{ source_relation }}
             where {{ loaded_column }} > (select max({{ loaded_column }}) from {{ this }})),
            cast('9999-12-31' as date)),
        (select cast({{ dbt.dateadd('day', lookback, 'max(day)') }} as date) from {{ this }})
        {%- if required_column %},
        coalesce((select min(day) from {{ this }}
                  {%- if required_column in columns %} where {{ required_column }} is null{% endif %}),
                 cast('9999-12-31' as date))
        {%- endif %}
        {%- if var('first_day') %},
        cast({{ dbt.dateadd('day', lookback, "cast('" ~ var('first_day') ~ "' as date)") }} as date)
        {%- endif %}
    )
    {%- endset -%}
    {%- set first_day = run_query(query).columns[0].values()[0] if execute else none -%}
    cast('{{ first_day or "9999-12-31" }}' as date)
{%- endmacro %}

{#- The filter on usage events (of int_usage_events) keeping the reporting days from `from_day` (a date
    literal, as rebuild_from_day returns) on. The extra UTC bound lets DuckDB skip row groups: a
    reporting day starts less than a day before its UTC date. -#}
{% macro usage_events_from(from_day, keyword='where') -%}
    {{ keyword }} occurred_at >= {{ dbt.dateadd('day', -1, 'cast(' ~ from_day ~ ' as timestamp)') }}
        and {{ reporting_day('occurred_at') }} >= {{ from_day }}
{%- endmacro %}

{#- The first month a monthly partial (rolled up from a daily fact) rebuilds: the month of the earliest day
    of the daily fact whose rows were built from data landed since the partial's last build (the daily
    fact's rows carry the newest landing time of their events), of the late-data lookback before the
    partial's latest day, and of the lookback before the first day of a backfill (var first_day).
    Every month from it on is deleted and rebuilt; returned as a date literal, like rebuild_from_day. -#}
{% macro rebuild_from_month(daily_relation, last_day_column) -%}
    {%- set lookback = -(var('lookback_days') | int) -%}
    {%- set query -%}
    select least(
        coalesce(
            (select min(day) from {{ daily_relation }}
             where loaded_at > (select max(loaded_at) from {{ this }})),
            cast('9999-12-31' as date)),
        coalesce((select cast({{ dbt.dateadd('day', lookback, 'max(' ~ last_day_column ~ ')') }} as date) from {{ this }}),
                 cast('9999-12-31' as date))
        {%- if var('first_day') %},
        cast({{ dbt.dateadd('day', lookback, "cast('" ~ var('first_day') ~ "' as date)") }} as date)
        {%- endif %}
    )
    {%- endset -%}
    {%- set first_day = run_query(query).columns[0].values()[0] if execute else none -%}
    {{ period_start('month', "cast('" ~ (first_day or '9999-12-31') ~ "' as date)") }}
{%- endmacro %}

{#- The incremental strategy of a model whose build replaces every row of the values of `column` it writes
    (days, months, source files). On DuckDB: delete+insert by that key. On Spark, which has no
    delete+insert on Parquet tables: insert_overwrite of the table's partitions by that column, dynamic
    (spark.sql.sources.partitionOverwriteMode in profiles.yml), so only the partitions the build wrote
    are replaced. Both replace exactly the values present in the new rows. -#}
{% macro replace_by(column) -%}
    {{ return(adapter.dispatch('replace_by')(column)) }}
{%- endmacro %}

{% macro default__replace_by(column) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': column}) }}
{%- endmacro %}

{% macro spark__replace_by(column) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
               'partition_by': [column], 'file_format': 'parquet'}) }}
{%- endmacro %}
