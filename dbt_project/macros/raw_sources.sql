{#- A source is a raw-zone table, read where ingestion landed it as Parquet. On DuckDB dbt-duckdb reads it
    through the source's `external_location` (read_parquet of the files); elsewhere the same files are
    read by path, with the engine's own reader (raw_files_relation). Overrides dbt's `source` so that every
    model keeps calling source() and keeps its lineage. -#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {#- a unit test's sources are its fixtures, which dbt puts in place of the relation -#}
    {%- if not execute or target.type == 'duckdb' or model.resource_type == 'unit_test' -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set location = node.meta.get('external_location') or node.source_meta.get('external_location') -%}
    {#- the path inside read_parquet('...'), with the table's name put in -#}
    {%- set path = location.split("'")[1] | replace('{name}', node.identifier) -%}
    {{- return(adapter.dispatch('raw_files_relation')(path)) -}}
{%- endmacro %}

{% macro default__raw_files_relation(path) -%}
    {{- exceptions.raise_compiler_error("no reader of raw Parquet files for adapter " ~ target.type) -}}
{%- endmacro %}

{#- Spark's Parquet reader over the files (their schemas merged: spark.sql.parquet.mergeSchema in profiles.yml) -#}
{% macro spark__raw_files_relation(path) -%}
    parquet.`{{ path }}`
{%- endmacro %}
