-- A score run's review flags, in a stable order.
select flag, reviewer_unit_id, reviewee_unit_id, evidence
from review_flags
where score_run_id = $id
order by flag, reviewer_unit_id, reviewee_unit_id nulls first
