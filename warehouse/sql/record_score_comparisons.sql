-- Trimmed-mean vs calibrated ranks of a score run (registered as `incoming_comparison`).
insert into score_comparisons by name
select score_run_id, unit_id, total_trimmed_mean, rank_trimmed_mean, total_calibrated,
       rank_calibrated
from incoming_comparison
