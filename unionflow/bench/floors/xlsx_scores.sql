-- Rows of the workbook's Scores sheet (the XLSX floor writes them with XlsxWriter).
select year, unit_id, name, level, indicator_score, peer_score, bonus, total, rank, rank_in_level, grade,
    n_reviews, flags
from scores
where score_run_id = $score_run_id
order by rank asc nulls last, unit_id
