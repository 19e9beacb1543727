{#- Small metric helpers shared by every mart. -#}

{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
         else cast(({{ numerator }}) as {{ type_double() }}) / ({{ denominator }}) end
{%- endmacro %}

{% macro nps_category(score) -%}
    case when {{ score }} >= 9 then 'promoter' when {{ score }} >= 7 then 'passive' else 'detractor' end
{%- endmacro %}

{#- A select of the number of distinct `counted` per group of `group_by` (columns of `relation`), as a grouping
    of its own: count(distinct) holds a group's values in memory, where a grouping spills to disk beyond the
    memory limit (at 100M events the distinct counts of feature_adoption ran out of memory). -#}
{% macro distinct_count_by(relation, group_by, counted, name) -%}
    select {{ group_by | join(', ') }}, count(*) as {{ name }}
    from (select distinct {{ group_by | join(', ') }}, {{ counted }} from {{ relation }}) as distinct_values
    group by {{ group_by | join(', ') }}
{%- endmacro %}

{#- Per group of `group_by` and day, from `relation` (at most one row per group, `user_column` and active `day`):
    the users active that day (`active_users`), the sum of each of `measures` over them, and for each (name, days)
    of `windows` `<name>_change`, whose running sum over the days is the number of distinct users active in the
    `days` days ending that day. Each active day of a user covers the days up to the user's next active day or
    the window's end, whichever is first, so a user is counted once however many of its days the window holds.
    All edges come from one reading of the spans, streamed from the window function rather than held in
    memory for several readers (at 100M events the memory limit of the marts that use this). -#}
{% macro active_window_changes(relation, group_by, user_column, windows, measures=[]) -%}
    {%- set keys = group_by | join(', ') -%}
    {%- set offsets = [0] -%}
    {%- for name, days in windows %}{% do offsets.append(days) %}{% endfor -%}
    {%- set window_end = dbt.dateadd('day', 'e.days', 's.day') -%}
    select
        {{ keys }},
        day,
        sum(active) as active_users
        {%- for measure in measures %},
        sum({{ measure }}) as {{ measure }}
        {%- endfor %}
        {%- for name, days in windows %},
        sum({{ name }}_change) as {{ name }}_change
        {%- endfor %}
    from (
        select
            {%- for key in group_by %}
            s.{{ key }},
            {%- endfor %}
            cast(case when e.days = 0 then s.day
                      else least(coalesce(s.next_day, {{ window_end }}), {{ window_end }}) end as date) as day,
            case when e.days = 0 then 1 else 0 end as active
            {%- for measure in measures %},
            case when e.days = 0 then s.{{ measure }} else 0 end as {{ measure }}
            {%- endfor %}
            {%- for name, days in windows %},
            case e.days when 0 then 1 when {{ days }} then -1 else 0 end as {{ name }}_change
            {%- endfor %}
        from (
            select
                {{ keys }},
                day,
                {%- for measure in measures %}
                {{ measure }},
                {%- endfor %}
                lead(day) over (partition by {{ keys }}, {{ user_column }} order by day) as next_day
            from {{ relation }}
        ) as s
        cross join {{ constant_rows('days', offsets) }} as e
    ) as span_edges
    group by {{ keys }}, day
{%- endmacro %}

{#- Continuous percentile as an aggregate (median is p = 0.5). -#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'prodops')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Free text with e-mail addresses and phone numbers replaced, the rest of the words kept. A phone number
    is a run of at least 7 digits written as one, with optional +, spaces, dots, dashes or brackets,
    standing after the start, a space, a bracket or `:;,`. Dates (2026-03-01, 01.03.2026) are first
    split by an invisible mark that the phone pattern cannot cross, and numbers inside URLs, ids
    (`id=1234567`, `PRD-20240131`, `#1234567`) and versions (`v10.15.7`) do not stand after such a
    boundary, so they all stay as written. -#}
{% macro redact_personal_data(text) -%}
    {{ return(adapter.dispatch('redact_personal_data', 'prodops')(text)) }}
{%- endmacro %}

{% macro default__redact_personal_data(text) -%}
    {{ prodops.redact_with(text, '\\', "regexp_replace({s}, {p}, {r}, 'g')") }}
{%- endmacro %}

{% macro spark__redact_personal_data(text) -%}
    {{ prodops.redact_with(text, '$', "regexp_replace({s}, {p}, {r})") }}
{%- endmacro %}

{#- The redaction's steps, written for an engine by its replace-all call and its back-reference sign. -#}
{% macro redact_with(text, backref, call) -%}
    {%- set mark = "chr(1)" -%}
    {%- set date_kept = "'" ~ backref ~ "1" ~ backref ~ "2' || " ~ mark ~ " || '" ~ backref ~ "3" ~ backref ~ "4' || "
                        ~ mark ~ " || '" ~ backref ~ "5'" -%}
    {%- set steps = [
        ("'[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}'", "'[email]'"),
        ("'([0-9]{4})([-./])([0-9]{1,2})([-./])([0-9]{1,2})'", date_kept),
        ("'([0-9]{1,2})([-./])([0-9]{1,2})([-./])([0-9]{4})'", date_kept),
        ("'(^|[ \\t\\n(:;,])[+]?[(]?[0-9]([ ().-]*[0-9]){6,}'", "'" ~ backref ~ "1[phone]'"),
    ] -%}
    {%- set ns = namespace(sql=text) -%}
    {%- for pattern, replacement in steps -%}
        {%- set ns.sql = call.replace('{s}', ns.sql).replace('{p}', pattern).replace('{r}', replacement) -%}
    {%- endfor -%}
    replace({{ ns.sql }}, {{ mark }}, '')
{%- endmacro %}

{#- Whether a list (array) column holds a value. -#}
{% macro list_has(list_expression, value) -%}
    {{ return(adapter.dispatch('list_has', 'prodops')(list_expression, value)) }}
{%- endmacro %}

{% macro default__list_has(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro duckdb__list_has(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{#- A delimited text as a list of its parts (HubSpot's multi-select properties: 'A;B'). -#}
{% macro split_list(text, delimiter) -%}
    {{ return(adapter.dispatch('split_list', 'prodops')(text, delimiter)) }}
{%- endmacro %}

{% macro default__split_list(text, delimiter) -%}
    string_to_array({{ text }}, {{ delimiter }})
{%- endmacro %}

{% macro duckdb__split_list(text, delimiter) -%}
    string_split({{ text }}, {{ delimiter }})
{%- endmacro %}

{#- Spark's split takes a pattern: the delimiters used here (';') are not special in one -#}
{% macro spark__split_list(text, delimiter) -%}
    split({{ text }}, {{ delimiter }})
{%- endmacro %}

{#- The values of a group as a sorted list (a ticket's tags from a tag table). -#}
{% macro sorted_list_agg(expression) -%}
    {{ return(adapter.dispatch('sorted_list_agg', 'prodops')(expression)) }}
{%- endmacro %}

{% macro default__sorted_list_agg(expression) -%}
    array_agg({{ expression }} order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_list_agg(expression) -%}
    array_sort(collect_list({{ expression }}))
{%- endmacro %}

{#- Distinct days of a month over several rows, each with a mask of its days (bit n - 1: day n). -#}
{% macro distinct_days_of_masks(mask_expression) -%}
    {{ return(adapter.dispatch('distinct_days_of_masks', 'prodops')(mask_expression)) }}
{%- endmacro %}

{% macro default__distinct_days_of_masks(mask_expression) -%}
    bit_count(bit_or({{ mask_expression }}))
{%- endmacro %}
