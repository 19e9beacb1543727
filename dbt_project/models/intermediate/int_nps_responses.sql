-- Valid NPS responses of customer users, with account (from contacts when the response has
-- none), category, reporting-zone periods, the account's plan then, and recent activity.
with responses as (
    select
        r.response_id,
        r.survey_id,
        r.user_id,
        coalesce(r.account_id, u.account_id) as account_id,
        r.responded_at,
        r.score,
        r.channel,
        r.comment,
        {{ reporting_day('r.responded_at') }} as response_day
    from {{ ref('int_survey_responses') }} as r
    inner join {{ ref('int_customer_users') }} as u on r.user_id = u.user_id
),

in_scope as (
    select r.*
    from responses as r
    inner join {{ ref('int_customer_accounts') }} as a on r.account_id = a.account_id
),

activity as (
    {{ user_was_active_before('in_scope', 'response_id', 'responded_at') }}
)

select
    r.response_id,
    r.survey_id,
    r.user_id,
    r.account_id,
    r.responded_at,
    r.response_day,
    {{ period_start('month', 'r.response_day') }} as month_start,
    {{ period_start('quarter', 'r.response_day') }} as quarter_start,
    r.score,
    {{ nps_category('r.score') }} as category,
    r.channel,
    r.comment,
    s.plan,
    s.industry,
    a.user_was_active_28d
from in_scope as r
inner join activity as a on a.response_id = r.response_id
left join {{ ref('int_account_segments') }} as s
    on s.account_id = r.account_id and s.month_start = {{ period_start('month', 'r.response_day') }}
