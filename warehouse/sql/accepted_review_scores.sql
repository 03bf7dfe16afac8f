-- The accepted reviews' scores only (what scoring and the GX suites read), by review id. The
-- comments are most of the bytes: at 1,000,000 units, turning them into pandas strings only to
-- drop them was a fifth of the scoring stage's load time.
with accepted as (
    {{ ref('int_accepted_reviews') }}
),

final as (
    select review_id, reviewer_unit_id, reviewee_unit_id,
           guidance, skills, innovation, institution, service
    from accepted
)

select * from final
order by review_id
