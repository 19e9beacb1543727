-- A guide carrying an NPS poll, shown to a visitor (guideSeen), is a delivery of that survey. A guide counts
-- as carrying one once any visitor has answered an NPS poll in it: Pendo lands no guide-to-poll table.
with nps_guides as (
    select distinct guide_id
    from {{ source('pendo', 'poll_event') }}
    where _nps_answer
)

select
    coalesce(nullif(seen.event_id, ''), {{ dbt.concat(["seen.guide_id", "':'", "seen.visitor_id", "':'",
                                                      "cast(seen." ~ adapter.quote('timestamp') ~ " as " ~ dbt.type_string() ~ ")"]) }})
        as delivery_id,
    seen.guide_id as survey_id,
    seen.visitor_id as user_id,
    'in_app' as channel,
    seen.{{ adapter.quote('timestamp') }} as sent_at
from {{ source('pendo', 'guide_event') }} as seen
where seen.type = 'guideSeen'
    and seen.guide_id in (select guide_id from nps_guides)
