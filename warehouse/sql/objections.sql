-- Objections with the unit's name, filtered by year and status when given.
select o.objection_id, o.year, o.unit_id, coalesce(a.name, '') as name, o.allocation_run_id,
       o.reason, o.filed_at, o.filed_by, o.status, o.resolved_at, o.resolved_by, o.note
from objections o
left join allocations a on a.allocation_run_id = o.allocation_run_id and a.unit_id = o.unit_id
where ($year is null or o.year = $year) and ($status is null or o.status = $status)
order by o.objection_id
