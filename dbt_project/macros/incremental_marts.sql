{#- Marts rolled up from the daily usage facts are rebuilt only where something changed: from the first
    day whose data changed since the mart's last build, for every account, and over the whole history
    for the accounts whose customers changed (an account deleted or restored, a user found to be
    staff or no longer). Who counts as a customer stays today's, applied on read.

    What a mart was built from is kept beside it, in the intermediate schema, by its post-hooks:
    `<mart>__built_from` (one row: the newest landing time of the daily fact it read, and the calendar's
    last day) and `<mart>__customers` (the customer accounts and users it counted). Hooks run in the
    model's transaction, so a failed build changes neither the mart nor what it remembers. -#}

{% macro mart_state(suffix) -%}
    {{ return(api.Relation.create(database=this.database, schema='intermediate',
                                  identifier=this.identifier ~ '__' ~ suffix)) }}
{%- endmacro %}

{#- The rebuild of an incremental usage mart: {'full': true} when it has no record of what it was built
    from (first build, --full-refresh, or built by a version that kept none), else {'full': false,
    'from_day': the first day to rebuild for every account, as a date literal, 'accounts_touched': whether
    the customers of some account changed, whose whole history is then rebuilt}. -#}
{% macro usage_mart_plan(daily_relation) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set built_from = adapter.get_relation(database=this.database, schema='intermediate',
                                              identifier=this.identifier ~ '__built_from') -%}
    {%- set customers = adapter.get_relation(database=this.database, schema='intermediate',
                                             identifier=this.identifier ~ '__customers') -%}
    {%- if built_from is none or customers is none -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set query -%}
    select
        least(
            coalesce((select min(day) from {{ daily_relation }}
                      where loaded_at > (select loaded_at from {{ built_from }})), cast('9999-12-31' as date)),
            (select cast({{ dbt.dateadd('day', 1, 'last_day') }} as date) from {{ built_from }})
        ) as from_day,
        (select max(day) from {{ ref('int_calendar_days') }}) < (select last_day from {{ built_from }}) as calendar_shrank
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row[1] -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set touched = run_query('select count(*) from (' ~ accounts_with_changed_customers(daily_relation) ~ ') as t').rows[0][0] -%}
    {{ return({'full': false, 'from_day': "cast('" ~ row[0] ~ "' as date)", 'accounts_touched': touched > 0}) }}
{%- endmacro %}

{#- The accounts whose customers changed since the mart's last build, as a query: accounts that became or
    stopped being customers, and those where a user who became or stopped being a customer was active. -#}
{% macro accounts_with_changed_customers(daily_relation) -%}
    {%- set customers = mart_state('customers') -%}
    {%- set now -%}
        select 'account' as member_type, account_id as member_id from {{ ref('int_customer_accounts') }}
        union all
        select 'user', user_id from {{ ref('int_customer_users') }}
    {%- endset -%}
    {%- set then -%}
        select member_type, member_id from {{ customers }}
    {%- endset -%}
    select member_id as account_id from (
        (select member_type, member_id from ({{ now }}) as n {{ dbt.except() }} {{ then }})
        union
        ({{ then }} {{ dbt.except() }} select member_type, member_id from ({{ now }}) as n)
    ) as changed
    where member_type = 'account'
    union
    select distinct d.account_id from {{ daily_relation }} as d
    where d.user_id in (
        select member_id from (
            (select member_type, member_id from ({{ now }}) as n {{ dbt.except() }} {{ then }})
            union
            ({{ then }} {{ dbt.except() }} select member_type, member_id from ({{ now }}) as n)
        ) as changed
        where member_type = 'user'
    )
{%- endmacro %}

{#- Pre-hook: the rows the build replaces. -#}
{% macro forget_rebuilt_usage_rows(daily_relation, day_column='day') -%}
    {%- if is_incremental() -%}
        {%- set plan = usage_mart_plan(daily_relation) -%}
        delete from {{ this }}
        {%- if not plan.full %}
        where {{ day_column }} >= {{ plan.from_day }}
        {%- if plan.accounts_touched %}
            or account_id in ({{ accounts_with_changed_customers(daily_relation) }})
        {%- endif %}
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Post-hooks, one statement each (`step` 0 to 3): what the build was made from. -#}
{% macro remember_usage_mart_inputs(daily_relation, step) -%}
    {%- set built_from, customers = mart_state('built_from'), mart_state('customers') -%}
    {%- set statements = [
        "drop table if exists " ~ built_from,
        "create table " ~ built_from ~ " as select (select max(loaded_at) from " ~ daily_relation
            ~ ") as loaded_at, (select max(day) from " ~ ref('int_calendar_days') ~ ") as last_day",
        "drop table if exists " ~ customers,
        "create table " ~ customers ~ " as select 'account' as member_type, account_id as member_id from "
            ~ ref('int_customer_accounts') ~ " union all select 'user', user_id from " ~ ref('int_customer_users'),
    ] -%}
    {{ statements[step] }}
{%- endmacro %}
