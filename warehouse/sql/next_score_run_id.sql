-- The next score run id: sequential, so a fresh warehouse given the same inputs gets the same ids.
select coalesce(max(score_run_id), 0) + 1 from score_runs
