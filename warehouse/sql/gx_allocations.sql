-- The allocation columns the GX scores suite checks, by unit.
select unit_id, amount_cny, reason from allocations where allocation_run_id = $id order by unit_id
