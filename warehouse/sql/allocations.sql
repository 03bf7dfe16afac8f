-- An allocation run's rows as allocations.csv lists them: amount descending, then unit.
select year, unit_id, name, total, grade, amount_cny, reason
from allocations
where allocation_run_id = $id
order by amount_cny desc, unit_id
