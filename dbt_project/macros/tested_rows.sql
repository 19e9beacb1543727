{#- The grain tests of the large incremental tables (unique, unique_combination) read the rows written since
    they last passed, not the history: each such table stamps its rows with the time of the build that wrote
    them (`_written_at`), and after a dbt build whose tests passed, the pipeline records, for each test that
    passed, the newest stamp of its table then (`intermediate.prodops__tested_through`,
    transform/tested_rows.py). A key of those rows is counted over the whole table, so a new row that repeats
    an old one is found. By induction the table holds no repeated key: it held none when the test last passed,
    and every row written since is among those read. A failed test records nothing, so the next build reads
    its rows again; a rebuild from scratch stamps every row. A table without a record, or with rows that have
    no stamp, is tested whole. -#}

{#- The stamp of this build, as a SQL literal: the same for every row it writes. -#}
{% macro written_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Post-hook: rows of a table built before it had `_written_at` get this build's stamp, so that this build's
    tests read them (they were never read as written rows) and later builds need not. -#}
{% macro stamp_unstamped_rows() -%}
    {{ return(adapter.dispatch('stamp_unstamped_rows')()) }}
{%- endmacro %}

{% macro default__stamp_unstamped_rows() -%}
    update {{ this }} set _written_at = {{ written_at() }} where _written_at is null
{%- endmacro %}

{#- Parquet tables on Spark take no update; their tests have no record and read the whole table. -#}
{% macro spark__stamp_unstamped_rows() -%}
    select 1
{%- endmacro %}

{#- The name a grain test is recorded under: the test and its columns. -#}
{% macro tested_rows_key(test_name, columns) -%}
    {{ test_name }}({{ columns | join(',') }})
{%- endmacro %}

{#- The stamp the rows of `model` were tested through by this test when it last passed, as a timestamp
    literal; none when it must read the whole table. -#}
{% macro tested_through(model, test_name, columns) -%}
    {%- if not execute or model.identifier is not defined -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set record = adapter.get_relation(database=model.database, schema='intermediate',
                                          identifier='prodops__tested_through') -%}
    {%- if record is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select max(written_through) from {{ record }}
        where model_name = '{{ model.identifier }}' and test = '{{ tested_rows_key(test_name, columns) }}'
    {%- endset -%}
    {%- set through = run_query(query).rows[0][0] -%}
    {%- if through is none
           or '_written_at' not in (adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ through ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#- dbt's unique test, reading the keys of the rows written since it last passed where it can. -#}
{% macro default__test_unique(model, column_name) -%}
    {%- set through = tested_through(model, 'unique', [column_name]) -%}
    {%- if through is none -%}
        {{ dbt.default__test_unique(model, column_name) }}
    {%- else -%}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} in (select {{ column_name }} from {{ model }} where _written_at > {{ through }})
group by {{ column_name }}
having count(*) > 1
    {%- endif -%}
{%- endmacro %}
