-- The last validation run id (0 when none).
select coalesce(max(validation_run_id), 0) from validation_runs
