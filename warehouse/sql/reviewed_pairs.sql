-- The reviewer → reviewee pairs of the year's accepted reviews, by review id.
with accepted as (
    {{ ref('int_accepted_reviews') }}
)

select reviewer_unit_id, reviewee_unit_id, review_id from accepted
order by review_id
