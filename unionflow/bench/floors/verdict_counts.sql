-- How many payloads of each kind the contracts floor gave each status (for the bench's records column).
select count(*) from (
    select payload_id from bench_floor.submission_verdicts union all select payload_id from bench_floor.review_verdicts
)
