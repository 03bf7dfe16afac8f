-- The deadline the latest collection of a year used.
select deadline
from year_deadlines
where year = $year
order by recorded_at desc
limit 1
