{{ config(materialized='view') }}

{{ union_systems('tickets', 'ticket_events') }}
