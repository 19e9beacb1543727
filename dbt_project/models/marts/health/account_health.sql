-- One row per customer account paying or trialing on the last day (as_of_date, a Sunday) of each ISO
-- week: its subscription, usage, NPS and support measures, and the health score, band and risk
-- reasons of the rules in force (source `health`: dbt_project/health_rules.yml or PRODOPS_HEALTH_RULES).
-- Each rule scores its input 100, 50 past its warning threshold or 0 past its poor one (it fires);
-- the score is the weighted mean over the rules whose input has a value.
{% set inputs = ['seat_utilization', 'usage_trend', 'core_adoption', 'latest_account_nps', 'open_tickets',
                 'bad_csat_90d', 'urgent_tickets_90d', 'days_to_renewal', 'active_users_28d', 'mrr', 'seats'] %}
with measures as (
    select
        w.account_id,
        a.account_name,
        w.as_of_date,
        w.is_complete,
        w.plan,
        w.renewal_date,
        w.mrr,
        w.seats,
        {{ dbt.datediff('w.as_of_date', 'w.renewal_date', 'day') }} as days_to_renewal,
        u.active_users_28d,
        u.active_users_prev_28d,
        {{ safe_divide('u.active_users_28d', 'w.seats') }} as seat_utilization,
        case when u.active_users_prev_28d > 0
            then cast(u.active_users_28d as {{ type_double() }}) / u.active_users_prev_28d - 1 end as usage_trend,
        {{ safe_divide('u.core_features_used', 'u.core_features_available') }} as core_adoption,
        n.latest_account_nps,
        coalesce(n.nps_respondents_90d, 0) as nps_respondents_90d,
        t.open_tickets,
        t.bad_csat_90d,
        t.urgent_tickets_90d
    from {{ ref('int_account_weeks') }} as w
    inner join {{ ref('int_customer_accounts') }} as a on a.account_id = w.account_id
    inner join {{ ref('int_account_week_usage') }} as u on u.account_id = w.account_id and u.as_of_date = w.as_of_date
    inner join {{ ref('int_account_week_tickets') }} as t on t.account_id = w.account_id and t.as_of_date = w.as_of_date
    left join {{ ref('int_account_week_nps') }} as n on n.account_id = w.account_id and n.as_of_date = w.as_of_date
),

inputs as (
    {% for input in inputs %}
    select account_id, as_of_date, '{{ input }}' as input, cast({{ input }} as {{ type_double() }}) as value
    from measures
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

evaluated as (
    select
        i.account_id,
        i.as_of_date,
        r.position,
        r.weight,
        r.is_critical,
        case
            when i.value is null then null
            when {{ health_rule_breached('i.value', 'r.operator', 'r.poor_threshold') }} then 0
            when r.warn_threshold is not null and {{ health_rule_breached('i.value', 'r.operator', 'r.warn_threshold') }} then 50
            else 100
        end as rule_score,
        -- worded only where the rule fires: wording the others took about a third of the time of this mart
        case when {{ health_rule_breached('i.value', 'r.operator', 'r.poor_threshold') }} then
        {{ dbt.concat(['r.label', "' '", health_value_text('i.value', 'r.unit'), "' ('",
                       health_operator_words('r.operator'), "' '", health_value_text('r.poor_threshold', 'r.unit'),
                       "')'"]) }}
        end as reason
    from inputs as i
    inner join {{ ref('stg_health__rules') }} as r on r.input = i.input
),

scored as (
    select
        account_id,
        as_of_date,
        sum(case when rule_score is not null then weight * rule_score end)
            / nullif(sum(case when rule_score is not null then weight end), 0) as weighted_score,
        max(case when rule_score = 0 and is_critical then 1 else 0 end) = 1 as critical_fired,
        {{ ordered_listagg('case when rule_score = 0 then reason end', "'; '", 'position') }} as fired_reasons
    from evaluated
    group by account_id, as_of_date
),

banded as (
    select
        m.*,
        -- no rule could be evaluated (every input empty): nothing speaks against the account
        round(coalesce(s.weighted_score, 100), 1) as health_score,
        s.critical_fired,
        s.fired_reasons,
        b.green_min,
        b.yellow_min
    from measures as m
    left join scored as s on s.account_id = m.account_id and s.as_of_date = m.as_of_date
    cross join {{ ref('stg_health__bands') }} as b
),

flagged as (
    select
        banded.*,
        case
            when health_score >= green_min then 'green'
            when health_score >= yellow_min then 'yellow'
            else 'red'
        end as health_band
    from banded
),

explained as (
    select
        flagged.*,
        health_band = 'red' or coalesce(critical_fired, false) as is_at_risk
    from flagged
)

select
    cast(e.account_id as {{ dbt.type_string() }}) as account_id,
    cast(e.account_name as {{ dbt.type_string() }}) as account_name,
    cast(e.as_of_date as date) as as_of_date,
    cast(e.plan as {{ dbt.type_string() }}) as plan,
    cast(e.renewal_date as date) as renewal_date,
    cast(e.mrr as decimal(18, 4)) as mrr,
    cast(e.seats as bigint) as seats,
    cast(e.days_to_renewal as bigint) as days_to_renewal,
    cast(e.active_users_28d as bigint) as active_users_28d,
    cast(e.active_users_prev_28d as bigint) as active_users_prev_28d,
    cast(e.seat_utilization as {{ type_double() }}) as seat_utilization,
    cast(e.usage_trend as {{ type_double() }}) as usage_trend,
    cast(e.core_adoption as {{ type_double() }}) as core_adoption,
    cast(e.latest_account_nps as {{ type_double() }}) as latest_account_nps,
    cast(e.nps_respondents_90d as bigint) as nps_respondents_90d,
    cast(e.open_tickets as bigint) as open_tickets,
    cast(e.bad_csat_90d as bigint) as bad_csat_90d,
    cast(e.urgent_tickets_90d as bigint) as urgent_tickets_90d,
    cast(e.health_score as {{ type_double() }}) as health_score,
    cast(e.health_band as {{ dbt.type_string() }}) as health_band,
    cast(e.is_at_risk as boolean) as is_at_risk,
    cast(coalesce(e.fired_reasons,
                  case when e.is_at_risk then {{ dbt.concat(["'health score '", health_value_text('e.health_score', "'number'"),
                                                             "' (red under '", health_value_text('e.yellow_min', "'number'"), "')'"]) }}
                  end, '') as {{ dbt.type_string() }}) as risk_reasons,
    cast(round(e.health_score - p.health_score, 1) as {{ type_double() }}) as score_change_4w,
    cast(p.health_band as {{ dbt.type_string() }}) as health_band_4w_ago,
    cast(e.is_complete as boolean) as is_complete
from explained as e
left join explained as p
    on p.account_id = e.account_id and p.as_of_date = cast({{ dbt.dateadd('day', -28, 'e.as_of_date') }} as date)
