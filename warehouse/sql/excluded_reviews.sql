-- The reviews of $year a steward's decision in force keeps out of scoring.
with latest as (
    {{ ref('int_latest_review_exclusions') }}
)

select review_id from latest
where action = 'exclude'
order by review_id
