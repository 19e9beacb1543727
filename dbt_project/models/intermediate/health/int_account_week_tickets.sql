-- Per account-week: tickets open at the end of as_of_date, and in the 90 days ending on it the
-- tickets rated bad (dated by their last solve, when the rating is asked for) and the urgent tickets
-- created. Tickets are those of ticket_metrics (customer accounts, not requested by our staff).
-- A ticket's status at the end of a day is the last status it took by then: `new` from its creation,
-- then each status change of its history; a ticket with no recorded change keeps its current status.
with weeks as (
    select account_id, as_of_date from {{ ref('int_account_weeks') }}
),

tickets as (
    select
        ticket_id,
        account_id,
        created_at,
        current_status,
        priority,
        satisfaction,
        {{ reporting_day('created_at') }} as created_day,
        {{ reporting_day('last_solved_at') }} as last_solved_day
    from {{ ref('ticket_metrics') }}
),

status_changes as (
    select e.ticket_id, t.account_id, e.occurred_at, e.event_id, e.new_status
    from {{ ref('int_ticket_events') }} as e
    inner join tickets as t on t.ticket_id = e.ticket_id
    where e.kind = 'status_change'
),

with_history as (
    select distinct ticket_id from status_changes
),

points as (
    select
        t.ticket_id,
        t.account_id,
        t.created_at as changed_at,
        0 as ordinal,
        cast('' as {{ dbt.type_string() }}) as event_id,
        case when h.ticket_id is null then t.current_status else 'new' end as status
    from tickets as t
    left join with_history as h on h.ticket_id = t.ticket_id
    union all
    select ticket_id, account_id, occurred_at, 1, event_id, new_status
    from status_changes
),

spans as (
    -- the status holds at the end of every day from its day up to (not including) the next change's day
    select
        ticket_id,
        account_id,
        status,
        {{ reporting_day('changed_at') }} as from_day,
        lead({{ reporting_day('changed_at') }}) over (
            partition by ticket_id order by changed_at, ordinal, event_id
        ) as to_day
    from points
),

open_spans as (
    select ticket_id, account_id, from_day, to_day
    from spans
    where status not in ('solved', 'closed') and (to_day is null or to_day > from_day)
),

open_counts as (
    select w.account_id, w.as_of_date, count(distinct s.ticket_id) as open_tickets
    from weeks as w
    inner join open_spans as s
        on s.account_id = w.account_id and s.from_day <= w.as_of_date
        and (s.to_day is null or w.as_of_date < s.to_day)
    group by w.account_id, w.as_of_date
),

recent_counts as (
    select
        w.account_id,
        w.as_of_date,
        sum(case when t.satisfaction = 'bad' and t.last_solved_day >= w.window_start
                      and t.last_solved_day <= w.as_of_date then 1 else 0 end) as bad_csat_90d,
        sum(case when t.priority = 'urgent' and t.created_day >= w.window_start
                      and t.created_day <= w.as_of_date then 1 else 0 end) as urgent_tickets_90d
    from (
        select account_id, as_of_date, cast({{ dbt.dateadd('day', -89, 'as_of_date') }} as date) as window_start
        from weeks
    ) as w
    -- every ticket that can count: created by the window's end, and solved (or, unsolved, created) in it or later
    inner join tickets as t
        on t.account_id = w.account_id and (t.satisfaction = 'bad' or t.priority = 'urgent')
        and t.created_day <= w.as_of_date and coalesce(t.last_solved_day, t.created_day) >= w.window_start
    group by w.account_id, w.as_of_date
)

select
    w.account_id,
    w.as_of_date,
    coalesce(o.open_tickets, 0) as open_tickets,
    coalesce(r.bad_csat_90d, 0) as bad_csat_90d,
    coalesce(r.urgent_tickets_90d, 0) as urgent_tickets_90d
from weeks as w
left join open_counts as o on o.account_id = w.account_id and o.as_of_date = w.as_of_date
left join recent_counts as r on r.account_id = w.account_id and r.as_of_date = w.as_of_date
