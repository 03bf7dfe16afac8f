-- A year's valid (current) reviews as a steward looks at them: scores, when, and whether a steward
-- decision keeps the review out of scoring (the latest decision per review counts).
with accepted_reviews as (
    {{ ref('int_accepted_reviews') }}
),

decisions as (
    {{ ref('int_latest_review_exclusions') }}
),

final as (
    select
        r.review_id,
        r.reviewer_unit_id,
        r.reviewee_unit_id,
        r.guidance,
        r.skills,
        r.innovation,
        r.institution,
        r.service,
        r.submitted_at,
        coalesce(d.action = 'exclude', false) as excluded
    from accepted_reviews as r
    left join decisions as d using (review_id)
    where ($reviewer is null or r.reviewer_unit_id = $reviewer)
        and ($reviewee is null or r.reviewee_unit_id = $reviewee)
)

select * from final
order by review_id
