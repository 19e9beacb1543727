-- One row per month x dimension (all, priority, type, feature) x value. Created counts and reply
-- times are over tickets created in the month; resolution, reopen, one-touch and CSAT rates over
-- tickets solved (last solve) in the month.
with tickets as (
    select
        m.*,
        {{ period_start('month', reporting_day('m.created_at')) }} as created_month,
        case when m.last_solved_at is not null
             then {{ period_start('month', reporting_day('m.last_solved_at')) }} end as solved_month
    from {{ ref('ticket_metrics') }} as m
),

dimensioned as (
    select *, 'all' as dimension, 'all' as dimension_value from tickets
    union all
    select *, 'priority', coalesce(priority, 'none') from tickets
    union all
    select *, 'type', coalesce(type, 'none') from tickets
    union all
    select *, 'feature', coalesce(feature_key, 'none') from tickets
),

created as (
    select
        created_month as month,
        dimension,
        dimension_value,
        count(*) as tickets_created,
        {{ percentile('first_reply_minutes', 0.5) }} as median_first_reply_minutes,
        {{ percentile('first_reply_minutes', 0.9) }} as p90_first_reply_minutes,
        sum(case when is_bug then 1 else 0 end) as bug_tickets,
        sum(case when is_feature_request then 1 else 0 end) as feature_requests
    from dimensioned
    group by created_month, dimension, dimension_value
),

solved as (
    select
        solved_month as month,
        dimension,
        dimension_value,
        count(*) as tickets_solved,
        {{ percentile('full_resolution_minutes', 0.5) }} as median_full_resolution_minutes,
        avg(cast(case when reopens > 0 then 1 else 0 end as {{ type_double() }})) as reopen_rate,
        avg(cast(case when is_one_touch then 1 else 0 end as {{ type_double() }})) as one_touch_rate,
        sum(case when satisfaction = 'good' then 1 else 0 end) as good_ratings,
        sum(case when satisfaction = 'bad' then 1 else 0 end) as bad_ratings
    from dimensioned
    where solved_month is not null
    group by solved_month, dimension, dimension_value
),

keys as (
    select month, dimension, dimension_value from created
    union
    select month, dimension, dimension_value from solved
)

select
    cast(k.month as date) as month,
    cast(k.dimension as {{ dbt.type_string() }}) as dimension,
    cast(k.dimension_value as {{ dbt.type_string() }}) as dimension_value,
    cast(coalesce(c.tickets_created, 0) as bigint) as tickets_created,
    cast(coalesce(s.tickets_solved, 0) as bigint) as tickets_solved,
    cast(c.median_first_reply_minutes as {{ type_double() }}) as median_first_reply_minutes,
    cast(c.p90_first_reply_minutes as {{ type_double() }}) as p90_first_reply_minutes,
    cast(s.median_full_resolution_minutes as {{ type_double() }}) as median_full_resolution_minutes,
    cast(s.reopen_rate as {{ type_double() }}) as reopen_rate,
    cast(s.one_touch_rate as {{ type_double() }}) as one_touch_rate,
    cast({{ safe_divide('s.good_ratings', 's.good_ratings + s.bad_ratings') }} as {{ type_double() }}) as csat_rate,
    cast(coalesce(s.good_ratings, 0) + coalesce(s.bad_ratings, 0) as bigint) as rated_tickets,
    cast(coalesce(c.bug_tickets, 0) as bigint) as bug_tickets,
    cast(coalesce(c.feature_requests, 0) as bigint) as feature_requests,
    cast(coalesce(p.is_complete, false) as boolean) as is_complete
from keys as k
left join created as c on c.month = k.month and c.dimension = k.dimension and c.dimension_value = k.dimension_value
left join solved as s on s.month = k.month and s.dimension = k.dimension and s.dimension_value = k.dimension_value
left join {{ ref('int_calendar_periods') }} as p on p.period_type = 'month' and p.period_start = k.month
