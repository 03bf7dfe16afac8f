-- A score run's rank comparison, calibrated rank first.
select unit_id, total_trimmed_mean, rank_trimmed_mean, total_calibrated, rank_calibrated
from score_comparisons where score_run_id = $id
order by rank_calibrated nulls last, unit_id
