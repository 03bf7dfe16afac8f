-- The one current (accepted) submission per unit for $year.
select *
from submissions
where year = $year and status = 'accepted'
