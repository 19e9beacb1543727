{#- The grain tests of the large incremental tables (unique, unique_combination) read the rows written since
    they last passed, not the history: each such table stamps its rows with the time of the build that wrote
    them (`_written_at`), and after a dbt build whose tests passed, the pipeline records, for each test that
    passed, the newest stamp of its table then (`intermediate.prodops__tested_through`,
    transform/tested_rows.py). A key of those rows is counted over the whole table, so a new row that repeats
    an old one is found. By induction the table holds no repeated key: it held none when the test last passed,
    and every row written since is among those read. A failed test records nothing, so the next build reads
    its rows again; a rebuild from scratch stamps every row (a warehouse built before the stamps existed is
    rebuilt whole once: settings_change.TABLE_LAYOUT). A table without a record, or with rows that have no
    stamp, is tested whole. -#}

{#- A timestamp as a SQL literal, from its text (YYYY-MM-DD HH:MM:SS[.ffffff]). -#}
{% macro timestamp_literal(text) -%}
    cast('{{ text }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The stamp of this build: the same for every row it writes. -#}
{% macro written_at() -%}
    {{ timestamp_literal(run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f")) }}
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
    {#- a record outliving the table's column (a model that no longer stamps) reads the whole table -#}
    {%- set query -%}
        select max(written_through) from {{ record }}
        where model_name = '{{ model.identifier }}' and test = '{{ tested_rows_key(test_name, columns) }}'
            and exists (select 1 from information_schema.columns
                        where table_catalog = '{{ model.database }}' and table_schema = '{{ model.schema }}'
                            and table_name = '{{ model.identifier }}'
                            and lower(column_name) = '_written_at')
    {%- endset -%}
    {%- set through = run_query(query).rows[0][0] -%}
    {{ return(none if through is none else timestamp_literal(through)) }}
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
