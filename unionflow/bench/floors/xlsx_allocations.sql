-- Rows of the workbook's Allocations sheet.
select year, unit_id, name, total, grade, amount_cny, reason
from allocations
where allocation_run_id = $allocation_run_id
order by amount_cny desc, unit_id
