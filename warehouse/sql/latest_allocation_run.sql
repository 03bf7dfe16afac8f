-- The latest allocation run of a year.
select * from allocation_runs where year = $year order by allocation_run_id desc limit 1
