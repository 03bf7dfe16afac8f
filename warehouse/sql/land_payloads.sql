-- Land a batch of received payloads (registered as `incoming`: seq, source_ref, payload).
-- The SHA-256 of each payload's UTF-8 bytes is computed here, on all cores, not in Python.
-- A payload whose exact bytes were received before for the same kind and year is a replay: it is
-- counted by the caller, not stored twice.
insert into raw_payloads
with hashed as (
    select seq, source_ref, payload, sha256(payload) as sha256
    from incoming
),

stored as (
    select sha256
    from raw_payloads
    where record_kind = $kind and year is not distinct from $year
),

fresh as (
    select
        hashed.*,
        row_number() over (partition by hashed.sha256 order by hashed.seq) as nth
    from hashed
    anti join stored on hashed.sha256 = stored.sha256
),

final as (
    select
        (select coalesce(max(payload_id), 0) from raw_payloads)
            + row_number() over (order by seq) as payload_id,
        $kind as record_kind,
        $year as year,
        $source as source,
        source_ref,
        sha256,
        payload,
        $received_at as received_at,
        $collection_id as collection_id
    from fresh
    where nth = 1
)

select * from final
