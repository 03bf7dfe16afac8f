-- A score run's rows as scores.csv lists them: by rank, unranked last, then unit.
select year, unit_id, name, level, indicator_score, peer_score, bonus, total, rank,
       rank_in_level, grade, n_reviews, flags
from scores
where score_run_id = $id
order by rank asc nulls last, unit_id
