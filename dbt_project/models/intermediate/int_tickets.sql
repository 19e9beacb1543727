{{ config(materialized='view') }}

{{ union_systems('tickets', 'tickets') }}
