{{ config(materialized='view') }}

{{ union_systems('crm', 'subscription_periods') }}
