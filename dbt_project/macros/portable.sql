{#- Portable building blocks where dbt's cross-database macros fall short. -#}

{#- A 64-bit float. dbt.type_float() is a 32-bit `float` on DuckDB and Spark, so the metrics use this. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

{#- The values of `measure` joined by `delimiter_text` in the order of `order_by` (an expression), nulls
    left out. dbt.listagg on Spark ignores the order, so Spark sorts (order, value) pairs itself. -#}
{% macro ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ return(adapter.dispatch('ordered_listagg')(measure, delimiter_text, order_by)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ return(dbt.listagg(measure, delimiter_text, 'order by ' ~ order_by)) }}
{%- endmacro %}

{#- null where no value is (as listagg), where array_join would give '' -#}
{% macro spark__ordered_listagg(measure, delimiter_text, order_by) -%}
    case when count({{ measure }}) > 0 then
        array_join(transform(array_sort(collect_list(named_struct('k', {{ order_by }}, 'v', {{ measure }}))), x -> x.v),
                   {{ delimiter_text }})
    end
{%- endmacro %}

{#- A one-column table of a few constants, for a cross join. A union of selects; on Spark an inline table, as
    Spark 4 cannot ship a union of literals under a join to its executors (ClassCastException on UnionExec). -#}
{% macro constant_rows(column, values) -%}
    {{ return(adapter.dispatch('constant_rows', 'prodops')(column, values)) }}
{%- endmacro %}

{% macro default__constant_rows(column, values) -%}
    ({% for value in values %}select {{ value }} as {{ column }}{% if not loop.last %} union all {% endif %}{% endfor %})
{%- endmacro %}

{% macro spark__constant_rows(column, values) -%}
    (select * from values {% for value in values %}({{ value }}){% if not loop.last %}, {% endif %}{% endfor %} as constants ({{ column }}))
{%- endmacro %}
