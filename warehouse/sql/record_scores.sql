-- The score rows of a run (registered as `incoming_scores`).
insert into scores by name
select score_run_id, year, unit_id, name, level, indicator_score, peer_score, bonus, total,
       rank, rank_in_level, grade, n_reviews, flags, config_hash, input_hash
from incoming_scores
