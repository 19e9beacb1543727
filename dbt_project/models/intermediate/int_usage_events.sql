{{ config(materialized='view', tags=['daily']) }}

{{ union_systems('usage', 'usage_events') }}
