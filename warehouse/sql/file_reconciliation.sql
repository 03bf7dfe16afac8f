-- The files line of a collection: files received, parsed and unreadable.
select
    count(*) as received,
    count(*) filter (where status = 'parsed') as parsed,
    count(*) filter (where status = 'unreadable') as unreadable
from received_files
where collection_id = $collection_id
