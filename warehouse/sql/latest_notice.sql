-- The latest public notice posted for a year.
select year, allocation_run_id, period_start, period_end, closes_at, contact, published_at
from publication_stages
where year = $year and stage = 'notice'
order by published_at desc, allocation_run_id desc
limit 1
