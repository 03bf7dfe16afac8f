-- The latest allocation run id of a year.
select max(allocation_run_id) from allocation_runs where year = ?
