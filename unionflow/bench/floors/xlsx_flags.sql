-- Rows of the workbook's Flags sheet.
select flag, reviewer_unit_id, reviewee_unit_id, evidence
from review_flags
where score_run_id = $score_run_id
order by flag, reviewer_unit_id nulls first, reviewee_unit_id nulls first
