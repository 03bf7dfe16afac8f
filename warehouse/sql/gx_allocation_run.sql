-- The allocation run the GX scores suite checks.
select * from allocation_runs where allocation_run_id = $id and year = $year
