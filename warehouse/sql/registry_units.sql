-- Every registry unit with its activity years and district, by id.
select unit_id, active_from, active_to, district from units order by unit_id
