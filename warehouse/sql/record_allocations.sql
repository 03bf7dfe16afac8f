-- The allocation rows of a run (registered as `incoming_allocations`).
insert into allocations by name
select allocation_run_id, year, unit_id, name, total, grade, amount_cny, reason
from incoming_allocations
