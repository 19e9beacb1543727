-- Answers to Pendo's NPS polls (attribute_type NPSRating) as NPS responses; the guide showing the poll is the
-- survey. The comment is the visitor's answer to the poll's follow-up poll in the same guide, given at or
-- after the rating and before the visitor's next rating there. Landing marks the answers to NPS polls
-- (`_nps_answer`) and quarantines those that are not a whole number from 0 to 10.
with poll as (
    select id, attribute_follow_up from {{ source('pendo', 'poll') }}
),

answers as (
    select
        coalesce(nullif(event_id, ''), {{ dbt.concat(["guide_id", "':'", "poll_id", "':'", "visitor_id", "':'",
                                                     "cast(" ~ adapter.quote('timestamp') ~ " as " ~ dbt.type_string() ~ ")"]) }})
            as answer_id,
        poll_id, guide_id, visitor_id, _account_id, {{ adapter.quote('timestamp') }} as answered_at, poll_response,
        _nps_answer as is_nps_answer
    from {{ source('pendo', 'poll_event') }}
),

ratings as (
    select
        answers.*,
        poll.attribute_follow_up,
        lead(answered_at) over (partition by answers.poll_id, guide_id, visitor_id order by answered_at) as next_rating_at
    from answers
    join poll on poll.id = answers.poll_id
    where answers.is_nps_answer
),

comments as (
    select
        ratings.answer_id,
        follow_up.poll_response as comment,
        row_number() over (partition by ratings.answer_id order by follow_up.answered_at) as nth
    from ratings
    join answers as follow_up
        on follow_up.poll_id = ratings.attribute_follow_up
        and follow_up.guide_id = ratings.guide_id
        and follow_up.visitor_id = ratings.visitor_id
        and follow_up.answered_at >= ratings.answered_at
        and (ratings.next_rating_at is null or follow_up.answered_at < ratings.next_rating_at)
    where nullif(trim(follow_up.poll_response), '') is not null
)

select
    ratings.answer_id as response_id,
    ratings.guide_id as survey_id,
    ratings.visitor_id as user_id,
    ratings._account_id as account_id,
    'in_app' as channel,
    comments.comment,
    cast(trim(ratings.poll_response) as integer) as score,
    ratings.answered_at as responded_at
from ratings
left join comments on comments.answer_id = ratings.answer_id and comments.nth = 1
