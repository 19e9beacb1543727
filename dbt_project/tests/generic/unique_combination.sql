{#- At most one row per combination of `columns` (nulls count as a value); where the table's rows are stamped,
    only the keys of the rows written since the test last passed are counted (macros/tested_rows.sql). -#}
{% test unique_combination(model, columns) %}
{%- set through = tested_through(model, 'unique_combination', columns) -%}
select {% for column in columns %}m.{{ column }}, {% endfor %}count(*) as rows_with_key
from {{ model }} as m
{%- if through is not none %}
inner join (select distinct {{ columns | join(', ') }} from {{ model }} where _written_at > {{ through }}) as w
    on {% for column in columns %}m.{{ column }} is not distinct from w.{{ column }}{{ ' and ' if not loop.last }}{% endfor %}
{%- endif %}
group by {% for column in columns %}m.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
having count(*) > 1
{% endtest %}
