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
    {%- set hooks = rebuilt_keys_hooks('forget_rebuilt_users(' ~ rebuild ~ ', ', 'rebuilt_users') -%}
    {%- do config.update({'pre_hook': hooks.pre, 'post_hook': config.post_hook + hooks.post}) -%}
    {{ return(config) }}
{%- endmacro %}

{% macro spark__user_mart_config(rebuild) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- A hook statement of the record of the users the build rebuilds (rebuilt_keys_hook). -#}
{% macro forget_rebuilt_users(rebuild, record, step) -%}
    {%- set plan = usage_mart_plan(rebuild) -%}
    {%- call rebuilt_keys_hook(record, step, plan.full, ['user_id']) -%}
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
    {%- endcall -%}
{%- endmacro %}

{#- The condition (with its `where`) that keeps the rows of the users the build rebuilds; nothing in a whole build. -#}
{% macro rebuilt_users_only(rebuild) -%}
    {%- if is_incremental() and not usage_mart_plan(rebuild).full -%}
        where user_id in (select user_id from {{ mart_state('rebuilt_users') }})
    {%- endif -%}
{%- endmacro %}
