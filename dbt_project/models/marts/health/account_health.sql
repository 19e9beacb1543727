-- One row per customer account paying or trialing on the last day (as_of_date, a Sunday) of each ISO
-- week: its subscription, usage, NPS and support measures, and the health score, band and risk
-- reasons of the rules in force (source `health`: dbt_project/health_rules.yml or PRODOPS_HEALTH_RULES).
-- Each rule scores its input 100, 50 past its warning threshold or 0 past its poor one (it fires);
-- the score is the weighted mean over the rules whose input has a value.
-- Incremental (macros/health_weeks.sql): rebuilt for the account-weeks whose measures changed and the weeks
-- four weeks after them; whole when the rules or bands change.
{{ config(health_weeks_config()) }}
{% set inputs = ['seat_utilization', 'usage_trend', 'core_adoption', 'latest_account_nps', 'open_tickets',
                 'bad_csat_90d', 'urgent_tickets_90d', 'days_to_renewal', 'active_users_28d', 'mrr', 'seats'] %}
with measures as (
    {{ health_measures(scored=true) }}
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
        max(case when rule_score = 0 and is_critical then 1 else 0 end) = 1 as critical_fired
    from evaluated
    group by account_id, as_of_date
),

-- apart from the scores and over the fired rules only: an ordered aggregate holds its rows in memory, where
-- a plain one spills to disk (at 100M events, over every rule it ran out of memory)
fired as (
    select account_id, as_of_date, {{ ordered_listagg('reason', "'; '", 'position') }} as fired_reasons
    from evaluated
    where rule_score = 0
    group by account_id, as_of_date
),

banded as (
    select
        m.*,
        -- no rule could be evaluated (every input empty): nothing speaks against the account
        round(coalesce(s.weighted_score, 100), 1) as health_score,
        s.critical_fired,
        f.fired_reasons,
        b.green_min,
        b.yellow_min
    from measures as m
    left join scored as s on s.account_id = m.account_id and s.as_of_date = m.as_of_date
    left join fired as f on f.account_id = m.account_id and f.as_of_date = m.as_of_date
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
    {%- for column in health_measure_columns() if column != 'is_complete' %}
    e.{{ column }},
    {%- endfor %}
    cast(e.health_score as {{ type_double() }}) as health_score,
    cast(e.health_band as {{ dbt.type_string() }}) as health_band,
    cast(e.is_at_risk as boolean) as is_at_risk,
    cast(coalesce(e.fired_reasons,
                  case when e.is_at_risk then {{ dbt.concat(["'health score '", health_value_text('e.health_score', "'number'"),
                                                             "' (red under '", health_value_text('e.yellow_min', "'number'"), "')'"]) }}
                  end, '') as {{ dbt.type_string() }}) as risk_reasons,
    cast(round(e.health_score - p.health_score, 1) as {{ type_double() }}) as score_change_4w,
    cast(p.health_band as {{ dbt.type_string() }}) as health_band_4w_ago,
    e.is_complete
from explained as e
left join explained as p
    on p.account_id = e.account_id and p.as_of_date = cast({{ dbt.dateadd('day', -28, 'e.as_of_date') }} as date)
{{ rebuilt_health_weeks('e', rebuilt_only=true) }}
