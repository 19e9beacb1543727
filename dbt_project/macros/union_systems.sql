{#- The canonical model of one source table: every enabled source system's staging model, unioned.
    Which systems feed each kind of source is the var `<kind>_systems`. -#}
{% macro union_systems(kind, table) -%}
    {%- set systems = var(kind ~ '_systems') -%}
    {%- if systems is string %}{% set systems = systems.split(',') %}{% endif -%}
    {%- for system in systems %}
    select '{{ system }}' as source_system, * from {{ ref('stg_' ~ system ~ '__' ~ table) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
