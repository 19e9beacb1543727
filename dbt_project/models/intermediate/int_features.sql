{{ config(materialized='view') }}

{{ union_systems('usage', 'features') }}
