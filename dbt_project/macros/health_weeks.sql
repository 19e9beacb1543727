{#- account_health is rebuilt only where something changed. A row is a function of its account-week's
    measures (the mart's columns up to the score), of the measures four weeks earlier (score_change_4w,
    health_band_4w_ago) and of the rules in force. A build compares the measures with the mart's own columns:
    the account-weeks whose measures changed, appeared or went, and the account-weeks four weeks after them,
    are rebuilt; the others stand. The rules and bands it scored with are kept beside it by its post-hooks, in
    the model's transaction (`account_health__stg_health__rules`, `__stg_health__bands`); a change to either,
    a first build, --full-refresh or a mart whose columns changed rebuilds it whole. The account-weeks a build
    rebuilds are written by its pre-hooks to `account_health__rebuilt`, which stays as the record of what the
    last build rewrote (none after a whole rebuild: then the table is dropped). On Spark,
    without transactions or deletes on its Parquet tables, it is a table rebuilt whole. -#}

{% macro health_measure_columns() -%}
    {{ return(['account_id', 'account_name', 'as_of_date', 'plan', 'renewal_date', 'mrr', 'seats', 'days_to_renewal',
               'active_users_28d', 'active_users_prev_28d', 'seat_utilization', 'usage_trend', 'core_adoption',
               'latest_account_nps', 'nps_respondents_90d', 'open_tickets', 'bad_csat_90d', 'urgent_tickets_90d',
               'is_complete']) }}
{%- endmacro %}

{% macro health_score_columns() -%}
    {{ return(['health_score', 'health_band', 'is_at_risk', 'risk_reasons', 'score_change_4w', 'health_band_4w_ago']) }}
{%- endmacro %}

{% macro health_dimensions() -%}
    {{ return(['stg_health__rules', 'stg_health__bands']) }}
{%- endmacro %}

{#- The measures of every account-week, typed as the mart holds them; `scored`: of the account-weeks the build
    scores (see rebuilt_health_weeks). -#}
{% macro health_measures(scored=false) -%}
    select
        cast(w.account_id as {{ dbt.type_string() }}) as account_id,
        cast(a.account_name as {{ dbt.type_string() }}) as account_name,
        cast(w.as_of_date as date) as as_of_date,
        cast(w.plan as {{ dbt.type_string() }}) as plan,
        cast(w.renewal_date as date) as renewal_date,
        cast(w.mrr as decimal(18, 4)) as mrr,
        cast(w.seats as bigint) as seats,
        cast({{ dbt.datediff('w.as_of_date', 'w.renewal_date', 'day') }} as bigint) as days_to_renewal,
        cast(u.active_users_28d as bigint) as active_users_28d,
        cast(u.active_users_prev_28d as bigint) as active_users_prev_28d,
        cast({{ safe_divide('u.active_users_28d', 'w.seats') }} as {{ type_double() }}) as seat_utilization,
        cast(case when u.active_users_prev_28d > 0
            then cast(u.active_users_28d as {{ type_double() }}) / u.active_users_prev_28d - 1 end as {{ type_double() }}) as usage_trend,
        cast({{ safe_divide('u.core_features_used', 'u.core_features_available') }} as {{ type_double() }}) as core_adoption,
        cast(n.latest_account_nps as {{ type_double() }}) as latest_account_nps,
        cast(coalesce(n.nps_respondents_90d, 0) as bigint) as nps_respondents_90d,
        cast(t.open_tickets as bigint) as open_tickets,
        cast(t.bad_csat_90d as bigint) as bad_csat_90d,
        cast(t.urgent_tickets_90d as bigint) as urgent_tickets_90d,
        cast(w.is_complete as boolean) as is_complete
    from {{ ref('int_account_weeks') }} as w
    inner join {{ ref('int_customer_accounts') }} as a on a.account_id = w.account_id
    inner join {{ ref('int_account_week_usage') }} as u on u.account_id = w.account_id and u.as_of_date = w.as_of_date
    inner join {{ ref('int_account_week_tickets') }} as t on t.account_id = w.account_id and t.as_of_date = w.as_of_date
    left join {{ ref('int_account_week_nps') }} as n on n.account_id = w.account_id and n.as_of_date = w.as_of_date
    {%- if scored %}
    {{ rebuilt_health_weeks('w') }}
    {%- endif %}
{%- endmacro %}

{#- {'full': true}, or {'full': false}: the rules and bands are those of the last build and the mart has its
    columns. Planned once per build (plan_once). -#}
{% macro health_weeks_plan() -%}
    {{ return(plan_once('prodops_health_weeks_plans', planned_health_weeks)) }}
{%- endmacro %}

{% macro planned_health_weeks() -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if names | sort != (health_measure_columns() + health_score_columns()) | sort -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {#- every rule and band affects every week: a changed row of either (or no record) rescores them all -#}
    {%- for dimension in health_dimensions() -%}
        {%- if dimension_changed_from(dimension, {'first_day': "cast('0001-01-01' as date)"}) != '9999-12-31' -%}
            {{ return({'full': true}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'full': false}) }}
{%- endmacro %}

{#- A hook statement of the record of the account-weeks the build rebuilds (rebuilt_keys_hook). -#}
{% macro forget_rebuilt_health_weeks(record, step) -%}
    {%- call rebuilt_keys_hook(record, step, health_weeks_plan().full, ['account_id', 'as_of_date']) -%}
        {%- set columns = health_measure_columns() | join(', ') -%}
        with changed as (
            select distinct account_id, as_of_date
            from ({{ symmetric_difference('select ' ~ columns ~ ' from (' ~ health_measures() ~ ') as m',
                                          'select ' ~ columns ~ ' from ' ~ this) }}) as d
        )
        select account_id, as_of_date from changed
        union
        select account_id, cast({{ dbt.dateadd('day', 28, 'as_of_date') }} as date) from changed
    {%- endcall -%}
{%- endmacro %}

{#- The account-weeks a build scores, on the measures relation `measures`: those it rebuilds and the ones four
    weeks before them; `rebuilt_only`: those it rebuilds. Nothing to filter in a whole build. -#}
{% macro rebuilt_health_weeks(measures, rebuilt_only=false) -%}
    {%- if is_incremental() and not health_weeks_plan().full -%}
        {%- set rebuilt = mart_state('rebuilt') -%}
        where exists (select 1 from {{ rebuilt }} as r
                      where r.account_id = {{ measures }}.account_id
                          and (r.as_of_date = {{ measures }}.as_of_date
                               {%- if not rebuilt_only %}
                               or r.as_of_date = cast({{ dbt.dateadd('day', 28, measures ~ '.as_of_date') }} as date)
                               {%- endif %}))
    {%- endif -%}
{%- endmacro %}

{% macro health_weeks_config() -%}
    {{ return(adapter.dispatch('health_weeks_config')()) }}
{%- endmacro %}

{% macro default__health_weeks_config() -%}
    {%- set hooks = rebuilt_keys_hooks('forget_rebuilt_health_weeks(', 'rebuilt') -%}
    {%- set copies = [] -%}
    {%- for what in health_dimensions() -%}
        {%- do copies.append((what, 2)) -%}
    {%- endfor -%}
    {#- a dimension's copy is written as a usage mart's -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append', 'on_schema_change': 'append_new_columns',
               'pre_hook': hooks.pre,
               'post_hook': hooks.post + numbered_hooks('remember_usage_mart_input({}, ', copies)}) }}
{%- endmacro %}

{% macro spark__health_weeks_config() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- int_account_week_usage: an incremental usage model (usage_mart_config) whose pre-hooks also delete the rows of
    the account-weeks int_account_weeks no longer holds. On Spark, a table rebuilt whole. -#}
{% macro account_week_usage_config(rebuild) -%}
    {{ return(adapter.dispatch('account_week_usage_config')(rebuild)) }}
{%- endmacro %}

{% macro default__account_week_usage_config(rebuild) -%}
    {%- set config = usage_mart_config(rebuild) -%}
    {%- do config.update({'pre_hook': [config.pre_hook, "{{ forget_departed_account_weeks() }}"]}) -%}
    {{ return(config) }}
{%- endmacro %}

{% macro spark__account_week_usage_config(rebuild) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{% macro forget_departed_account_weeks() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where not exists (select 1 from {{ ref('int_account_weeks') }} as w
                          where w.account_id = {{ this }}.account_id and w.as_of_date = {{ this }}.as_of_date)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
