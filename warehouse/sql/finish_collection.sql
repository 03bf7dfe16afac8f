-- Close one collection run as `completed` or `failed`.
update collection_runs set finished_at = $finished_at, status = $status
where collection_id = $collection_id
