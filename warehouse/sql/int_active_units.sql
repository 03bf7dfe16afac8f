-- The pilot units active in $year: the population that is scored, listed in allocations and
-- counted as registered.
select *
from units
where active_from <= $year and coalesce(active_to, 9999) >= $year
