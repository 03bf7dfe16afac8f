-- Land a batch of received payloads (registered as `incoming`: seq, source_ref, payload).
-- The SHA-256 of each payload's UTF-8 bytes is computed here, on all cores, not in Python.
-- A payload whose exact bytes were received before for the same kind and year is a replay: it is
-- counted by the caller, not stored twice. Within the batch the first copy (lowest seq) is kept.
-- The de-duplication works on (seq, sha256) only and the payloads are joined back by seq at the
-- end: carrying the payload text through the grouping cost a third of the statement's time.
insert into raw_payloads
with hashed as (
    select seq, sha256(payload) as sha256
    from incoming
),

stored as (
    select sha256
    from raw_payloads
    where record_kind = $kind and year is not distinct from $year
),

fresh as (
    select min(hashed.seq) as seq
    from hashed
    anti join stored on hashed.sha256 = stored.sha256
    group by hashed.sha256
),

final as (
    select
        (select coalesce(max(payload_id), 0) from raw_payloads)
            + row_number() over (order by incoming.seq) as payload_id,
        $kind as record_kind,
        $year as year,
        $source as source,
        incoming.source_ref,
        sha256(incoming.payload) as sha256,
        incoming.payload,
        $received_at as received_at,
        $collection_id as collection_id
    from incoming
    semi join fresh on incoming.seq = fresh.seq
)

select * from final
