-- The review flags of a score run (registered as `incoming_flags`).
insert into review_flags by name
select score_run_id, year, flag, reviewer_unit_id, reviewee_unit_id, evidence
from incoming_flags
