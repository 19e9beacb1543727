{#- A usage mart of one row per user and feature (user_feature_adoption) is rebuilt for the users whose rows can
    have changed since its last build, each over the user's whole history: the users who used a feature from the
    plan's first changed day (usage_mart_plan), the users whose last use fell on or after it (their rows may be
    gone), the users whose account changed, and, where the CRM changed who is a customer, the users active at the
    accounts it touched. `rebuild` is a usage mart's (see usage_mart_plan); its records are kept as a usage mart's.
    On Spark, a table rebuilt whole. -#}

{% macro user_mart_config(rebuild) -%}
    {{ return(adapter.dispatch('user_mart_config')(rebuild)) }}
{%- endmacro %}

{% macro default__user_mart_config(rebuild) -%}
    {%- set config = usage_mart_config(rebuild) -%}
    {%- set steps = [] -%}
    {%- for step in range(4) -%}
        {%- do steps.append("{{ forget_rebuilt_users(" ~ rebuild ~ ", " ~ step ~ ") }}") -%}
    {%- endfor -%}
    {%- do config.update({'pre_hook': steps[:3], 'post_hook': config.post_hook + steps[3:]}) -%}
    {{ return(config) }}
{%- endmacro %}

{% macro spark__user_mart_config(rebuild) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- Pre-hook statements: steps 0 and 1 write the users the build rebuilds, step 2 deletes their rows (all rows,
    when it rebuilds the mart whole). Post-hook step 3: a whole rebuild drops the record of the users an earlier
    build rebuilt. -#}
{% macro forget_rebuilt_users(rebuild, step) -%}
    {%- set rebuilt = mart_state('rebuilt_users') -%}
    {%- set plan = usage_mart_plan(rebuild) -%}
    {%- if step == 3 -%}
        {%- if is_incremental() and not plan.full -%}
        select 1
        {%- else -%}
        drop table if exists {{ rebuilt }}
        {%- endif -%}
    {%- elif not is_incremental() or (step < 2 and plan.full) -%}
        select 1
    {%- elif step == 0 -%}
        drop table if exists {{ rebuilt }}
    {%- elif step == 1 -%}
        create table {{ rebuilt }} as
        select user_id from {{ ref('int_usage_feature_daily') }} where day >= {{ plan.from_day }}
        union
        -- a reporting day starts at most a day from its date in UTC; a user whose account changed was moved
        select m.user_id from {{ this }} as m
        where m.last_used_at >= cast({{ dbt.dateadd('day', -1, plan.from_day) }} as timestamp)
            or not exists (select 1 from {{ ref('int_customer_users') }} as c
                           where c.user_id = m.user_id and c.account_id = m.account_id)
        {%- if plan.accounts_touched %}
        union
        select user_id from {{ ref('int_usage_user_monthly') }}
        where account_id in (select account_id from ({{ changed_customers() }}) as c)
        {%- endif %}
    {%- else -%}
        delete from {{ this }}
        {%- if not plan.full %}
        where user_id in (select user_id from {{ rebuilt }})
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- The condition (with its `where`) that keeps the rows of the users the build rebuilds; nothing in a whole build. -#}
{% macro rebuilt_users_only(rebuild) -%}
    {%- if is_incremental() and not usage_mart_plan(rebuild).full -%}
        where user_id in (select user_id from {{ mart_state('rebuilt_users') }})
    {%- endif -%}
{%- endmacro %}
