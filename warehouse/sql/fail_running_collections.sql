-- The caller holds the write lock, so any collection still marked running was killed before it
-- could finish.
update collection_runs set status = 'failed' where status = 'running'
