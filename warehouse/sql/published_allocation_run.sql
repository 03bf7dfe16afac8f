-- The published allocation run of a year (at most one).
select * from allocation_runs where year = $year and status = 'published'
