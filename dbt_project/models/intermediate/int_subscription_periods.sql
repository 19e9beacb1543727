-- A table, not a view: the publish reads its currency, through DuckDB whatever engine built it.
{{ config(materialized='table') }}

{{ union_systems('subscriptions', 'subscription_periods') }}
