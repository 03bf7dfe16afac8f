-- The accepted reviews with their comments and times, by review id.
with accepted as (
    {{ ref('int_accepted_reviews') }}
),

final as (
    select review_id, reviewer_unit_id, reviewee_unit_id,
           guidance, skills, innovation, institution, service, submitted_at, comment
    from accepted
)

select * from final
order by review_id
