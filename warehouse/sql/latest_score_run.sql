-- The latest score run of a year.
select * from score_runs where year = $year order by score_run_id desc limit 1
