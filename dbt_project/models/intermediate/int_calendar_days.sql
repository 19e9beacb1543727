-- Every reporting-zone day from the earliest subscription or usage day to the high-water mark,
-- with the periods it belongs to and whether each period is complete.
with bounds as (
    select
        least(
            (select min(period_start) from {{ ref('int_subscription_periods') }}),
            (select {{ reporting_day('min(occurred_at)') }} from {{ ref('int_usage_events') }})
        ) as first_day,
        high_water_mark_day as last_day,
        high_water_mark_local
    from {{ ref('int_reporting_clock') }}
),

digits as (
    select d from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as t (d)
),

numbers as (
    select a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d as n
    from digits a cross join digits b cross join digits c cross join digits e cross join digits f
),

days as (
    select cast({{ dbt.dateadd('day', 'n', 'first_day') }} as date) as day, high_water_mark_local
    from numbers cross join bounds
    where n <= {{ dbt.datediff('first_day', 'last_day', 'day') }}
),

periods as (
    select
        day,
        high_water_mark_local,
        {{ period_start('week', 'day') }} as week_start,
        {{ period_start('month', 'day') }} as month_start,
        {{ period_start('quarter', 'day') }} as quarter_start,
        {{ period_start('year', 'day') }} as year_start
    from days
)

select
    day,
    week_start,
    month_start,
    quarter_start,
    year_start,
    cast({{ dbt.dateadd('day', 1, 'day') }} as timestamp) <= high_water_mark_local as is_day_complete,
    cast({{ period_end('month', 'month_start') }} as timestamp) <= high_water_mark_local as is_month_complete,
    cast({{ period_end('quarter', 'quarter_start') }} as timestamp) <= high_water_mark_local as is_quarter_complete,
    cast({{ period_end('year', 'year_start') }} as timestamp) <= high_water_mark_local as is_year_complete
from periods
