-- Each unit's published result in the years before $year (the run published for that year):
-- total, grade and amount as in its allocations.csv, rank as in its scores.csv.
select
    a.year,
    a.unit_id,
    a.total,
    a.grade,
    s.rank,
    a.amount_cny
from allocation_runs as r
inner join allocations as a on a.allocation_run_id = r.allocation_run_id
left join scores as s on s.score_run_id = r.score_run_id and s.unit_id = a.unit_id
where r.status = 'published' and r.year < $year
order by a.year, a.unit_id
