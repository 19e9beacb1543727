{{ config(materialized='view') }}

{{ union_systems('usage', 'usage_events') }}
