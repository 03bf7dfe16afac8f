-- The next collection id: the next integer, so a fresh file numbers its runs deterministically.
select coalesce(max(collection_id), 0) + 1 as collection_id
from collection_runs
