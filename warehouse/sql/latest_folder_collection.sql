-- The latest collection that received files (a folder collection), or none.
select max(collection_id) from received_files
