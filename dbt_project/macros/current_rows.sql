{#- The current row of each record of a table that may hold history: by default Fivetran's history mode
    (the active version where `_fivetran_active` is given), or the given `version_order` (Pendo's
    `last_updated_at desc`); of those the latest synced, then the latest landed. -#}
{% macro current_rows(relation, key, version_order='coalesce(_fivetran_active, true) desc') -%}
    select *
    from (
        select
            versions.*,
            row_number() over (
                partition by {{ key }}
                order by {{ version_order }}, _fivetran_synced desc nulls last,
                    _loaded_at desc, _source_file desc
            ) as version_rank
        from {{ relation }} as versions
    ) as ranked
    where version_rank = 1
{%- endmacro %}
