{{ config(materialized='view') }}

{{ union_systems('surveys', 'survey_deliveries') }}
