-- Open one collection run.
insert into collection_runs (collection_id, year, source, started_at, status)
values ($collection_id, $year, $source, $started_at, 'running')
