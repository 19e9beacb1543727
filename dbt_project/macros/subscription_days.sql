{#- int_subscription_daily is rebuilt only where something changed: for the accounts whose customer periods
    changed since its last build (a period added, corrected or removed, an account that stopped or started
    being a customer), every day; for every account, the days after the calendar's last day at that build.
    A row is a function of its account's customer periods and of its day alone, so the other rows stand.
    What the build read is kept beside it by its post-hooks, in the model's transaction: `<model>__periods`
    (the customer periods, the columns a row reads) and `<model>__calendar` (the calendar's first and last
    day). It is rebuilt whole on a first build, --full-refresh, a model whose columns changed, or a calendar
    whose first day moved or whose last day went back. On Spark, without transactions or deletes on its
    Parquet tables, it is a table rebuilt whole. -#}

{% macro subscription_day_columns() -%}
    {{ return(['account_id', 'day', 'is_paying', 'is_trialing', 'mrr', 'seats', 'renewal_date', '_written_at']) }}
{%- endmacro %}

{#- The customer periods, with their ids (two periods can agree in everything else, and both count) and the
    columns a row of int_subscription_daily reads. -#}
{% macro customer_subscription_periods() -%}
    select p.source_system, p.period_id, p.account_id, p.is_trial, p.mrr, p.seats, p.renewal_date, p.period_start, p.period_end
    from {{ ref('int_subscription_periods') }} as p
    inner join {{ ref('int_customer_accounts') }} as a on p.account_id = a.account_id
{%- endmacro %}

{#- The accounts whose customer periods changed since the last build, as a query of account_id. -#}
{% macro accounts_with_changed_periods() -%}
    select distinct account_id
    from ({{ symmetric_difference(customer_subscription_periods(), 'select * from ' ~ mart_state('periods')) }}) as changed
{%- endmacro %}

{#- {'full': true}, or {'full': false, 'last_day': the calendar's last day at the last build, a date literal};
    planned once per build (plan_once). -#}
{% macro subscription_days_plan() -%}
    {{ return(plan_once('prodops_subscription_days_plans', planned_subscription_days)) }}
{%- endmacro %}

{% macro planned_subscription_days() -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if not (mart_state_exists('periods') and mart_state_exists('calendar')) or names != subscription_day_columns() -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set query -%}
        select
            k.last_day,
            (select min(day) from {{ ref('int_calendar_days') }}) = k.first_day
                and (select max(day) from {{ ref('int_calendar_days') }}) >= k.last_day as calendar_kept
        from {{ mart_state('calendar') }} as k
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {{ return({'full': true} if not row[1] else {'full': false, 'last_day': "cast('" ~ row[0] ~ "' as date)"}) }}
{%- endmacro %}

{#- Pre-hook: delete the rows the build replaces. -#}
{% macro forget_rebuilt_subscription_days() -%}
    {%- if is_incremental() -%}
        {%- set plan = subscription_days_plan() -%}
        delete from {{ this }}
        {%- if not plan.full %}
        where day > {{ plan.last_day }} or account_id in ({{ accounts_with_changed_periods() }})
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The filter of the rows a build writes, on a relation with account_id and day. -#}
{% macro rebuilt_subscription_days(account_column, day_column) -%}
    {%- set plan = subscription_days_plan() -%}
    {%- if not plan.full -%}
        where {{ day_column }} > {{ plan.last_day }} or {{ account_column }} in ({{ accounts_with_changed_periods() }})
    {%- endif -%}
{%- endmacro %}

{#- One post-hook statement: `what` is periods or calendar; step 0 drops the record, step 1 writes it. -#}
{% macro remember_subscription_days_input(what, step) -%}
    {%- if step == 0 -%}
        drop table if exists {{ mart_state(what) }}
    {%- elif what == 'periods' -%}
        create table {{ mart_state(what) }} as {{ customer_subscription_periods() }}
    {%- else -%}
        create table {{ mart_state(what) }} as
        select min(day) as first_day, max(day) as last_day from {{ ref('int_calendar_days') }}
    {%- endif -%}
{%- endmacro %}

{% macro subscription_days_config() -%}
    {{ return(adapter.dispatch('subscription_days_config')()) }}
{%- endmacro %}

{% macro default__subscription_days_config() -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append', 'on_schema_change': 'sync_all_columns',
               'pre_hook': "{{ forget_rebuilt_subscription_days() }}",
               'post_hook': numbered_hooks('remember_subscription_days_input(', [('periods', 2), ('calendar', 2)])}) }}
{%- endmacro %}

{% macro spark__subscription_days_config() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}
