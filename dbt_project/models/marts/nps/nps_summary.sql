-- One row per period (month, quarter) x dimension x value. User NPS counts each user's latest
-- response in the period once; the `account` dimension counts each account once by the category
-- of the mean of its users' latest scores in the period.
with latest as (
    select * from {{ ref('int_nps_latest_responses') }}
),

by_dimension as (
    select period_type, period_start, user_id, category, 'all' as dimension, 'all' as dimension_value from latest
    union all
    select period_type, period_start, user_id, category, 'channel', channel from latest
    union all
    select period_type, period_start, user_id, category, 'plan', coalesce(plan, 'none') from latest
    union all
    select period_type, period_start, user_id, category, 'industry', coalesce(industry, 'unknown') from latest
    union all
    select period_type, period_start, user_id, category, 'user_activity',
           case when user_was_active_28d then 'active' else 'inactive' end
    from latest
),

account_categories as (
    select
        period_type,
        period_start,
        account_id,
        case when avg(score) >= 9 then 'promoter' when avg(score) < 7 then 'detractor' else 'passive' end as category
    from latest
    group by period_type, period_start, account_id
),

counted as (
    select period_type, period_start, dimension, dimension_value,
           count(*) as responses,
           sum(case when category = 'promoter' then 1 else 0 end) as promoters,
           sum(case when category = 'passive' then 1 else 0 end) as passives,
           sum(case when category = 'detractor' then 1 else 0 end) as detractors
    from by_dimension
    group by period_type, period_start, dimension, dimension_value
    union all
    select period_type, period_start, 'account', 'all',
           count(*),
           sum(case when category = 'promoter' then 1 else 0 end),
           sum(case when category = 'passive' then 1 else 0 end),
           sum(case when category = 'detractor' then 1 else 0 end)
    from account_categories
    group by period_type, period_start
),

delivered as (
    select period_type, period_start, 'all' as dimension, 'all' as dimension_value, user_id
    from {{ ref('int_survey_deliveries_by_period') }}
    union all
    select period_type, period_start, 'channel', channel, user_id from {{ ref('int_survey_deliveries_by_period') }}
    union all
    select period_type, period_start, 'plan', coalesce(plan, 'none'), user_id from {{ ref('int_survey_deliveries_by_period') }}
    union all
    select period_type, period_start, 'industry', coalesce(industry, 'unknown'), user_id
    from {{ ref('int_survey_deliveries_by_period') }}
    union all
    select period_type, period_start, 'user_activity', case when user_was_active_28d then 'active' else 'inactive' end, user_id
    from {{ ref('int_survey_deliveries_by_period') }}
),

deliveries as (
    select period_type, period_start, dimension, dimension_value, count(distinct user_id) as delivered_users
    from delivered
    group by period_type, period_start, dimension, dimension_value
),

shares as (
    select
        c.*,
        cast(c.promoters as {{ type_double() }}) / c.responses as p,
        cast(c.detractors as {{ type_double() }}) / c.responses as d
    from counted as c
)

select
    cast(s.period_type as {{ dbt.type_string() }}) as period_type,
    cast(s.period_start as date) as period_start,
    cast(s.dimension as {{ dbt.type_string() }}) as dimension,
    cast(s.dimension_value as {{ dbt.type_string() }}) as dimension_value,
    cast(s.responses as bigint) as responses,
    cast(s.promoters as bigint) as promoters,
    cast(s.passives as bigint) as passives,
    cast(s.detractors as bigint) as detractors,
    cast(100 * (s.p - s.d) as {{ type_double() }}) as nps,
    cast(100 * 1.96 * sqrt((s.p + s.d - (s.p - s.d) * (s.p - s.d)) / s.responses) as {{ type_double() }}) as margin_of_error,
    cast(s.responses >= {{ var('nps_min_sample') }} as boolean) as is_reportable,
    cast(case when s.dimension <> 'account' then {{ safe_divide('s.responses', 'dl.delivered_users') }} end as {{ type_double() }})
        as response_rate,
    cast(dl.delivered_users as bigint) as delivered_users,
    cast(p.is_complete as boolean) as is_complete
from shares as s
inner join {{ ref('int_calendar_periods') }} as p on p.period_type = s.period_type and p.period_start = s.period_start
left join deliveries as dl
    on dl.period_type = s.period_type and dl.period_start = s.period_start
    and dl.dimension = s.dimension and dl.dimension_value = s.dimension_value
