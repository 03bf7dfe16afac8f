-- Record the receipts of the files whose reading ended in a landed batch (registered as
-- `incoming_files`), in the same transaction as the batch's payloads.
insert into received_files
select
    $collection_id as collection_id,
    $kind as record_kind,
    path,
    size_bytes,
    sha256,
    parser,
    encoding,
    case when unreadable then 'unreadable' else 'parsed' end as status,
    payloads,
    $received_at as received_at
from incoming_files
order by seq
