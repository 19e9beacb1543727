-- One row: the high-water mark that decides which periods are complete, in UTC and in the
-- reporting zone. It is the run's as-of time when one is given, else the latest usage event.
with latest as (
    select max(occurred_at) as latest_event_at from {{ ref('int_usage_events') }}
),

clock as (
    select
        {% if var('as_of') %}cast('{{ var("as_of") }}' as timestamp){% else %}latest_event_at{% endif %} as high_water_mark_at,
        latest_event_at
    from latest
)

select
    high_water_mark_at,
    {{ to_reporting_time('high_water_mark_at') }} as high_water_mark_local,
    {{ reporting_day('high_water_mark_at') }} as high_water_mark_day,
    latest_event_at,
    '{{ var("reporting_timezone") }}' as reporting_timezone
from clock
