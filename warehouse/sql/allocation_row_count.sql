-- Whether a unit has a row in an allocation run (0 or 1).
select count(*) from allocations where allocation_run_id = ? and unit_id = ?
