-- Stored GX suite outcomes, latest first, filtered by year and suite when given.
select validation_run_id, year, json_extract_string(summary, '$.stage') as stage, suite,
       json_extract_string(summary, '$.severity') as severity, success, evaluated, failed,
       started_at, summary
from validation_runs
where ($year is null or year = $year) and ($suite is null or suite = $suite)
order by validation_run_id desc
limit coalesce($limit, 9223372036854775807)
