-- The exclude/include decision in force on each review of $year: its latest (decisions are
-- append-only; a review without one counts).
select *
from review_exclusions
where year = $year
qualify row_number() over (partition by review_id order by decision_id desc) = 1
