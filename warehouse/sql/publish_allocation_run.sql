-- Mark an allocation run published.
update allocation_runs set status = 'published', published_at = ? where allocation_run_id = ?
