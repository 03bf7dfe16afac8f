-- A year's valid (current) reviews as a steward looks at them: scores, when, and whether a steward
-- decision keeps the review out of scoring (the latest decision per review counts).
with decisions as (
    select review_id, action
    from review_exclusions
    where year = $year
    qualify row_number() over (partition by review_id order by decision_id desc) = 1
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
    from reviews as r
    left join decisions as d using (review_id)
    where r.year = $year
        and r.status = 'accepted'
        and ($reviewer is null or r.reviewer_unit_id = $reviewer)
        and ($reviewee is null or r.reviewee_unit_id = $reviewee)
)

select * from final
order by review_id
