-- Customer users delivered a survey, per month and quarter, with the attributes response rates
-- are broken down by (channel, plan, industry, activity before delivery).
with deliveries as (
    select
        d.delivery_id,
        d.user_id,
        u.account_id,
        d.channel,
        d.sent_at,
        {{ reporting_day('d.sent_at') }} as delivery_day
    from {{ ref('int_survey_deliveries') }} as d
    inner join {{ ref('int_customer_users') }} as u on d.user_id = u.user_id
),

with_activity as (
    {{ user_was_active_before('deliveries', 'delivery_id', 'sent_at') }}
),

enriched as (
    select
        d.*,
        a.user_was_active_28d,
        s.plan,
        s.industry
    from deliveries as d
    inner join with_activity as a on a.delivery_id = d.delivery_id
    left join {{ ref('int_account_segments') }} as s
        on s.account_id = d.account_id and s.month_start = {{ period_start('month', 'd.delivery_day') }}
)

select 'month' as period_type, {{ period_start('month', 'delivery_day') }} as period_start, * from enriched
union all
select 'quarter' as period_type, {{ period_start('quarter', 'delivery_day') }} as period_start, * from enriched
