{#- Marts rolled up from the daily usage facts are rebuilt only where something changed: from the first
    day whose data changed since the mart's last build (`from_day`), and for what changed in the CRM (an
    account deleted or restored, a user found to be staff or no longer) from the first activity the change
    reaches, either at those accounts alone or everywhere. Who counts as a customer stays today's, applied
    on read.

    What a mart was built from is kept beside it, in the intermediate schema, by its post-hooks
    (usage_mart_hooks): `<mart>__built_from` (one row: the newest landing time of the daily fact it read,
    the calendar's last day, and `rebuilt_from`, the first period the build rewrote, null when it rebuilt
    the mart whole), `<mart>__customers` (the customer accounts and users it counted), and
    `<mart>__<model>` for each dimension model it depends on (a copy of it): the rows of a dimension that
    changed move `from_day` back to the first day they affect. A mart without these records (first build,
    --full-refresh, built by a version that kept none) or whose dimension changed its columns is rebuilt
    whole. Hooks run in the model's transaction, so a failed build changes neither the mart nor its
    records. On Spark, which has no transactions, the mart is a Parquet table partitioned by its period: the
    pre-hook drops the partitions the build rewrites, and a build that fails after it leaves the records as
    they were, so that the next one plans the same rebuild. -#}

{% macro mart_state(suffix) -%}
    {{ return(api.Relation.create(database=this.database, schema='intermediate',
                                  identifier=this.identifier ~ '__' ~ suffix)) }}
{%- endmacro %}

{% macro mart_state_exists(suffix) -%}
    {{ return(adapter.get_relation(database=this.database, schema='intermediate',
                                   identifier=this.identifier ~ '__' ~ suffix) is not none) }}
{%- endmacro %}

{#- The customer accounts and users, as (member_type, member_id) rows. -#}
{% macro customer_members() -%}
    select 'account' as member_type, account_id as member_id from {{ ref('int_customer_accounts') }}
    union all
    select 'user', user_id from {{ ref('int_customer_users') }}
{%- endmacro %}

{#- The rows in one query and not in the other, both ways. -#}
{% macro symmetric_difference(one, other) -%}
    (select * from ({{ one }}) as a {{ dbt.except() }} select * from ({{ other }}) as b)
    union
    (select * from ({{ other }}) as b {{ dbt.except() }} select * from ({{ one }}) as a)
{%- endmacro %}

{#- The first day the changed rows of a dimension model affect, as text ('9999-12-31': none that matters
    changed), or none when that cannot be told (its columns changed). `dimension` says how a row matters:
    `first_day`, the SQL of the first day one row affects (a row for which it is null affects nothing), and
    with `active_accounts`, only the rows of an account-month (account_id, month_start) in which, or in
    the month after which, the account was active matter. -#}
{% macro dimension_changed_from(model_name, dimension) -%}
    {%- if not mart_state_exists(model_name) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept = mart_state(model_name) -%}
    {%- set names = adapter.get_columns_in_relation(ref(model_name)) | map(attribute='name') | list -%}
    {%- if names != (adapter.get_columns_in_relation(kept) | map(attribute='name') | list) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select min({{ dimension.first_day }})
        from ({{ symmetric_difference('select * from ' ~ ref(model_name), 'select * from ' ~ kept) }}) as d
        {%- if dimension.get('active_accounts') %}
        where exists (
            select 1 from {{ ref('int_usage_user_monthly') }} as u
            where u.account_id = d.account_id
                and (u.month_start = d.month_start
                     or u.month_start = cast({{ dbt.dateadd('month', -1, 'd.month_start') }} as date)))
        {%- endif %}
    {%- endset -%}
    {%- set first = run_query(query).rows[0][0] -%}
    {{ return('9999-12-31' if first is none else first | string) }}
{%- endmacro %}

{#- The rebuild of an incremental usage mart: {'full': true}, or {'full': false, 'from_day': the first day
    to rebuild for every account, 'last_day_before': the calendar's last day at the last build (both date
    literals), 'accounts_touched': whether some accounts are rebuilt from an earlier day (see
    changed_customers), 'floor_day': the first day any account is rebuilt from}.
    `rebuild` says how the mart rebuilds: `period_column` and its `grain` (day or month); `dimensions` maps
    each dimension model to how its rows matter (see dimension_changed_from); `customers`: `accounts`
    (default) rebuilds each account whose customers changed from the first activity they changed, `periods`
    rebuilds every account from the first of those days. -#}
{% macro usage_mart_plan(rebuild) -%}
    {{ return(plan_once('prodops_usage_mart_plans', planned_usage_mart_rebuild, [rebuild])) }}
{%- endmacro %}

{#- The rebuild plan of the model being built: {'full': true} outside an incremental build, else what
    `planner(*arguments)` returns, planned once per build of a model and kept for the invocation in dbt's graph
    under `name` (one dict for every node of it): the model's SQL, its pre-hooks and its post-hooks read the same
    records, which only its last post-hooks replace, so each would compute the same plan. -#}
{% macro plan_once(name, planner, arguments=[]) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set plans = graph.setdefault(name, {}) -%}
    {%- if model.unique_id not in plans -%}
        {%- do plans.update({model.unique_id: planner(*arguments)}) -%}
    {%- endif -%}
    {{ return(plans[model.unique_id]) }}
{%- endmacro %}

{% macro planned_usage_mart_rebuild(rebuild) -%}
    {%- set dimensions, customers = rebuild.get('dimensions', {}), rebuild.get('customers', 'accounts') -%}
    {%- if not (mart_state_exists('built_from') and mart_state_exists('customers')) -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set firsts = [] -%}
    {%- for model_name, dimension in dimensions.items() -%}
        {%- set changed_from = dimension_changed_from(model_name, dimension) -%}
        {%- if changed_from is none -%}
            {{ return({'full': true}) }}
        {%- endif -%}
        {%- do firsts.append("cast('" ~ changed_from ~ "' as date)") -%}
    {%- endfor -%}
    {%- set built_from = mart_state('built_from') -%}
    {%- set query -%}
    select
        least(
            coalesce((select min(day) from {{ ref('int_usage_user_daily') }}
                      where loaded_at > (select loaded_at from {{ built_from }})), cast('9999-12-31' as date)),
            (select cast({{ dbt.dateadd('day', 1, 'last_day') }} as date) from {{ built_from }})
            {%- for first in firsts %}, {{ first }}{% endfor %}
            {%- if customers == 'periods' %},
            coalesce((select min(first_day) from ({{ changed_customers() }}) as c), cast('9999-12-31' as date))
            {%- endif %}
        ) as from_day,
        (select last_day from {{ built_from }}) as last_day_before,
        (select max(day) from {{ ref('int_calendar_days') }}) < (select last_day from {{ built_from }}) as calendar_shrank,
        {%- if customers == 'accounts' %}
        (select min(first_day) from ({{ changed_customers() }}) as c) as first_touched_day
        {%- else %}
        cast(null as date) as first_touched_day
        {%- endif %}
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row[2] -%}
        {{ return({'full': true}) }}
    {%- endif -%}
    {%- set floor_day = row[0] if row[3] is none else [row[0], row[3]] | min -%}
    {{ return(adapter.dispatch('whole_period_plan')({
        'full': false, 'from_day': "cast('" ~ row[0] ~ "' as date)",
        'last_day_before': "cast('" ~ row[1] ~ "' as date)", 'accounts_touched': row[3] is not none,
        'floor_day': "cast('" ~ floor_day ~ "' as date)"})) }}
{%- endmacro %}

{#- On Spark a build replaces whole period partitions: where some accounts' customers changed from an earlier
    day, every account is rebuilt from that day (the same rows, more of them rewritten). -#}
{% macro spark__whole_period_plan(plan) -%}
    {{ return({'full': false, 'from_day': plan.floor_day, 'last_day_before': plan.last_day_before,
               'accounts_touched': false, 'floor_day': plan.floor_day}) }}
{%- endmacro %}

{% macro default__whole_period_plan(plan) -%}
    {{ return(plan) }}
{%- endmacro %}

{#- The accounts whose customers changed since the mart's last build, each with the first day the change
    reaches (`first_day`), as a query: an account that became or stopped being a customer from its first
    activity; an account where a user who became or stopped being a customer was active, from that user's
    first activity there. Read from the monthly partial of every user's activity. -#}
{% macro changed_customers() -%}
    {%- set changed = symmetric_difference(customer_members(),
                                           'select member_type, member_id from ' ~ mart_state('customers')) -%}
    select account_id, min(first_active_day) as first_day
    from {{ ref('int_usage_user_monthly') }}
    where account_id in (select member_id from ({{ changed }}) as c where member_type = 'account')
        or user_id in (select member_id from ({{ changed }}) as c where member_type = 'user')
    group by account_id
{%- endmacro %}

{#- The first period an incremental build rebuilds, as a date: for `grain` day, the plan's from_day; for
    month, the month of from_day or of the last build's last day, whichever is first (that month may have
    been incomplete then), and `periods_before` months earlier for a mart whose month reads the next. -#}
{% macro first_rebuilt_period(plan, grain, periods_before=0) -%}
    {%- if grain == 'day' -%}
        {{ plan.from_day }}
    {%- else -%}
        {%- set first = period_start(grain, 'least(' ~ plan.from_day ~ ', ' ~ plan.last_day_before ~ ')') -%}
        {{ first if not periods_before else 'cast(' ~ dbt.dateadd(grain, -periods_before, first) ~ ' as date)' }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: delete the rows the build replaces (see usage_mart_plan for `rebuild`). -#}
{% macro forget_rebuilt_usage_rows(rebuild) -%}
    {{ return(adapter.dispatch('forget_rebuilt_usage_rows')(rebuild)) }}
{%- endmacro %}

{% macro default__forget_rebuilt_usage_rows(rebuild) -%}
    {%- if is_incremental() -%}
        {%- set plan = usage_mart_plan(rebuild) -%}
        delete from {{ this }}
        {%- if not plan.full %}
        where {{ rebuild.period_column }} >= {{ first_rebuilt_period(plan, rebuild.grain, rebuild.get('periods_before', 0)) }}
        {%- if plan.accounts_touched %}
            or exists (select 1 from ({{ changed_customers() }}) as c
                       where c.account_id = {{ this }}.account_id and {{ this }}.{{ rebuild.period_column }} >= c.first_day)
        {%- endif %}
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- On Spark, the mart's partitions (one per period) from the first period rebuilt, or all of them, are
    dropped; the build then appends the rows of those periods. A partition is dropped even where the build
    writes no row, as a delete would empty it. -#}
{% macro spark__forget_rebuilt_usage_rows(rebuild) -%}
    {%- set dropped = [] -%}
    {%- if is_incremental() -%}
        {%- set plan = usage_mart_plan(rebuild) -%}
        {%- set first = none if plan.full else run_query(
            'select ' ~ first_rebuilt_period(plan, rebuild.grain, rebuild.get('periods_before', 0))).rows[0][0] | string -%}
        {%- for row in run_query('show partitions ' ~ this) -%}
            {%- set value = row[0].split('=', 1)[1] -%}
            {%- if first is none or value >= first -%}
                {%- do dropped.append(value) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if dropped -%}
        alter table {{ this }} drop if exists
        {%- for value in dropped %} partition ({{ rebuild.period_column }} = '{{ value }}'){{ ',' if not loop.last }}{% endfor %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- One post-hook statement (see usage_mart_hooks): `what` is built_from, customers or a dimension model;
    its statements are numbered by `step`. built_from also records where this build began (`rebuilt_from`,
    null when it rebuilt the mart whole), which must be computed before any record is replaced. -#}
{% macro remember_usage_mart_input(rebuild, what, step) -%}
    {%- set kept = mart_state(what) -%}
    {%- if what == 'built_from' -%}
        {%- set fresh = mart_state('built_from_new') -%}
        {%- if step == 0 -%}
            drop table if exists {{ fresh }}
        {%- elif step == 1 -%}
            {%- set plan = usage_mart_plan(rebuild) -%}
            create table {{ fresh }} as
            select (select max(loaded_at) from {{ ref('int_usage_user_daily') }}) as loaded_at,
                   (select max(day) from {{ ref('int_calendar_days') }}) as last_day,
                   {{ 'cast(null as date)' if plan.full
                      else first_rebuilt_period(plan, rebuild.grain, rebuild.get('periods_before', 0)) }} as rebuilt_from
        {%- elif step == 2 -%}
            drop table if exists {{ kept }}
        {%- else -%}
            alter table {{ fresh }} rename to {{ kept.identifier }}
        {%- endif -%}
    {%- elif step == 0 -%}
        drop table if exists {{ kept }}
    {%- elif what == 'customers' -%}
        create table {{ kept }} as {{ customer_members() }}
    {%- else -%}
        create table {{ kept }} as select * from {{ ref(what) }}
    {%- endif -%}
{%- endmacro %}

{#- The post-hooks of an incremental usage mart, rendered when it runs. -#}
{% macro usage_mart_hooks(rebuild) -%}
    {%- set records = [('built_from', 4), ('customers', 2)] -%}
    {%- for model_name in rebuild.get('dimensions', {}) -%}
        {%- do records.append((model_name, 2)) -%}
    {%- endfor -%}
    {{ return(numbered_hooks('remember_usage_mart_input(' ~ rebuild ~ ', ', records)) }}
{%- endmacro %}

{#- Hook statements rendered when the model runs: for each (what, steps) of `records`, `call` completed with
    'what', step for each step in turn (`call` is a macro's name and opening parenthesis, with any arguments
    before those two). -#}
{% macro numbered_hooks(call, records) -%}
    {%- set hooks = [] -%}
    {%- for what, steps in records -%}
        {%- for step in range(steps) -%}
            {%- do hooks.append(numbered_hook(call, what, step)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(hooks) }}
{%- endmacro %}

{% macro numbered_hook(call, what, step) -%}
    {{ return("{{ " ~ call ~ "'" ~ what ~ "', " ~ step ~ ") }}") }}
{%- endmacro %}

{#- One hook statement of a model rebuilt only for the keys whose rows can have changed, kept in the record
    `mart_state(record)` (a key per row, `key_columns`). Pre-hook steps 0 and 1 write the record from the query
    in the call's body (rendered only then), step 2 deletes the model's rows of those keys (all of its rows when
    `full`); post-hook step 3: a whole rebuild drops the record an earlier build left. -#}
{#- The hooks of such a model, whose hook macro `call` (as numbered_hooks takes it) calls rebuilt_keys_hook:
    {'pre': steps 0 to 2, 'post': step 3}. -#}
{% macro rebuilt_keys_hooks(call, record) -%}
    {{ return({'pre': numbered_hooks(call, [(record, 3)]), 'post': [numbered_hook(call, record, 3)]}) }}
{%- endmacro %}

{% macro rebuilt_keys_hook(record, step, full, key_columns) -%}
    {%- set rebuilt = mart_state(record) -%}
    {%- if step == 3 -%}
        {%- if is_incremental() and not full -%}
        select 1
        {%- else -%}
        drop table if exists {{ rebuilt }}
        {%- endif -%}
    {%- elif not is_incremental() or (step < 2 and full) -%}
        select 1
    {%- elif step == 0 -%}
        drop table if exists {{ rebuilt }}
    {%- elif step == 1 -%}
        create table {{ rebuilt }} as
        {{ caller() }}
    {%- else -%}
        delete from {{ this }}
        {%- if not full %}
        where exists (select 1 from {{ rebuilt }} as r
                      where {% for column in key_columns %}r.{{ column }} = {{ this }}.{{ column }}{{ ' and ' if not loop.last }}{% endfor %})
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- The config of an incremental usage mart: `{{ config(usage_mart_config(rebuild)) }}`. -#}
{% macro usage_mart_config(rebuild) -%}
    {%- set config = {'materialized': 'incremental', 'incremental_strategy': 'append',
                      'on_schema_change': 'append_new_columns',
                      'pre_hook': "{{ forget_rebuilt_usage_rows(" ~ rebuild ~ ") }}",
                      'post_hook': usage_mart_hooks(rebuild)} -%}
    {%- do config.update(adapter.dispatch('usage_mart_storage')(rebuild)) -%}
    {{ return(config) }}
{%- endmacro %}

{#- On Spark, a Parquet table partitioned by the mart's period: what a build replaces is whole partitions. -#}
{% macro spark__usage_mart_storage(rebuild) -%}
    {{ return({'file_format': 'parquet', 'partition_by': [rebuild.period_column]}) }}
{%- endmacro %}

{% macro default__usage_mart_storage(rebuild) -%}
    {{ return({}) }}
{%- endmacro %}
