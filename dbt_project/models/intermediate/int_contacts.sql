{{ config(materialized='view') }}

{{ union_systems('crm', 'contacts') }}
