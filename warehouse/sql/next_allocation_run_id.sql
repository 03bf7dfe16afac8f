-- The next allocation run id: sequential, so a fresh warehouse given the same inputs gets the same
-- ids.
select coalesce(max(allocation_run_id), 0) + 1 from allocation_runs
