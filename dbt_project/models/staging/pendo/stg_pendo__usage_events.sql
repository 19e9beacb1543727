-- Pendo's hourly buckets as usage events: one row per bucket, weighing the events it counts. An all-events
-- bucket adds num_events to activity (event_count); a feature bucket adds num_events uses of its feature
-- (feature_use_count) and nothing to activity, which the all-events bucket already counts. A bucket synced
-- again (Pendo recounts the open hour) counts once, from its latest sync; several rows of one sync (one per
-- device) add up. Empty buckets are not activity.
with buckets as (
    select
        'all' as bucket_kind, visitor_id, _account_id, {{ adapter.quote('timestamp') }} as bucket_hour, app_id,
        cast(null as {{ dbt.type_string() }}) as feature_id, num_events, _fivetran_synced, _loaded_at, _source_file
    from {{ source('pendo', 'event') }}
    union all
    select
        'feature' as bucket_kind, visitor_id, _account_id, {{ adapter.quote('timestamp') }} as bucket_hour, app_id,
        feature_id, num_events, _fivetran_synced, _loaded_at, _source_file
    from {{ source('pendo', 'feature_event') }}
),

synced as (
    select
        buckets.*,
        max(_fivetran_synced) over (
            partition by bucket_kind, visitor_id, _account_id, bucket_hour, app_id, feature_id
        ) as latest_synced
    from buckets
),

latest as (
    select
        bucket_kind, visitor_id, _account_id, bucket_hour, app_id, feature_id,
        sum(num_events) as num_events,
        max(_fivetran_synced) as received_at,
        max(_loaded_at) as loaded_at,
        min(_source_file) as source_file
    from synced
    where _fivetran_synced = latest_synced or latest_synced is null
    group by bucket_kind, visitor_id, _account_id, bucket_hour, app_id, feature_id
)

select
    {{ dbt.concat(["'pendo:'", "bucket_kind", "':'", "visitor_id", "':'", "_account_id", "':'",
                   "cast(bucket_hour as " ~ dbt.type_string() ~ ")", "':'", "coalesce(app_id, '')", "':'",
                   "coalesce(feature_id, '')"]) }} as event_id,
    visitor_id as user_id,
    _account_id as account_id,
    feature_id as feature_key,
    case bucket_kind when 'feature' then 'feature_used' else 'pendo_events' end as event_name,
    cast(null as {{ dbt.type_string() }}) as page,
    cast(null as {{ dbt.type_string() }}) as platform,
    cast(null as {{ dbt.type_string() }}) as properties,
    bucket_hour as occurred_at,
    received_at,
    cast(case bucket_kind when 'all' then num_events else 0 end as {{ dbt.type_int() }}) as event_count,
    cast(case bucket_kind when 'feature' then num_events else 0 end as {{ dbt.type_int() }}) as feature_use_count,
    loaded_at,
    source_file,
    {{ written_at() }} as _written_at
from latest
where num_events > 0
