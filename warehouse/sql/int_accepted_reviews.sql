-- The current valid (accepted) review of each reviewer → reviewee pair for $year.
select *
from reviews
where year = $year and status = 'accepted'
