-- One row per month, quarter and year of the calendar: its first day, the first day of the next
-- one, its last day so far (the high-water mark day while it is open) and whether it is complete.
{% set parts = ['month', 'quarter', 'year'] %}
with periods as (
    {% for part in parts %}
    select
        '{{ part }}' as period_type,
        {{ part }}_start as period_start,
        max(day) as last_day,
        min(case when is_{{ part }}_complete then 1 else 0 end) = 1 as is_complete
    from {{ ref('int_calendar_days') }}
    group by {{ part }}_start
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    period_type,
    period_start,
    case period_type
        {% for part in parts %}when '{{ part }}' then {{ period_end(part, 'period_start') }}
        {% endfor %}
    end as next_period_start,
    last_day,
    is_complete
from periods
