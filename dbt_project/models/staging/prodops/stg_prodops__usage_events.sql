-- Incremental: each build adds the rows of the files landed since the last one. A repeated event_id that
-- reached the raw zone is the same event delivered twice (ingestion quarantines an id reused with other
-- content) and the first received is kept (a later redelivery is dropped). A source file landed again
-- with changed content replaces the rows of its earlier version. Each row is one event (event_count; a
-- vendor's hourly buckets stand for many). A table built before event_count existed is rebuilt whole.
{{ config(replace_by('source_file')) }}
{{ config(tags=['daily'], on_schema_change='append_new_columns') }}

with source as (
    select * from {{ source('prodops', 'usage_events') }}
    {% if is_incremental() %}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list if execute else [] %}
    {%- if 'event_count' in columns %}
    where _loaded_at > coalesce(
        (select case when count(case when event_count is null then 1 end) = 0 then max(loaded_at) end from {{ this }}),
        cast('1900-01-01' as {{ dbt.type_timestamp() }}))
    {%- endif %}
    {% endif %}
),

renamed as (
    select
        event_id,
        user_id,
        account_id,
        feature_key,
        event_name,
        page,
        platform,
        properties,
        occurred_at,
        received_at,
        _loaded_at as loaded_at,
        _source_file as source_file,
        row_number() over (
            partition by event_id
            order by received_at nulls last, _loaded_at, _source_file
        ) as delivery_number
    from source
)

select
    event_id,
    user_id,
    account_id,
    feature_key,
    event_name,
    page,
    platform,
    properties,
    occurred_at,
    received_at,
    cast(1 as {{ dbt.type_int() }}) as event_count,
    cast(case when event_name = 'feature_used' and feature_key is not null then 1 else 0 end as {{ dbt.type_int() }})
        as feature_use_count,
    loaded_at,
    source_file,
    {{ written_at() }} as _written_at
from renamed
where delivery_number = 1
{% if is_incremental() %}
    -- rows of the files being replaced do not count as earlier deliveries
    and not exists (
        select 1 from {{ this }} as known
        where known.event_id = renamed.event_id
            and known.source_file not in (select distinct _source_file from source)
    )
{% endif %}
