{{ config(materialized='view') }}

{{ union_systems('subscriptions', 'subscription_periods') }}
