{#- Custom schemas are used as named (staging, intermediate); marts stay in the default schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
