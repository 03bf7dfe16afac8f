-- One allocation run by id.
select * from allocation_runs where allocation_run_id = $id
