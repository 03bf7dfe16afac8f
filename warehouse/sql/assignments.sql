-- A year's assignments by reviewee, then reviewer.
select reviewer_unit_id, reviewee_unit_id from assignments
where year = $year order by reviewee_unit_id, reviewer_unit_id
