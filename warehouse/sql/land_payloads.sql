-- Land a batch of received payloads (registered as `incoming`: seq, source_ref, payload, sha256).
-- A payload whose exact bytes were received before for the same kind and year is a replay: it is
-- counted by the caller, not stored twice.
insert into raw_payloads
with stored as (
    select sha256
    from raw_payloads
    where record_kind = $kind and year is not distinct from $year
),

fresh as (
    select
        incoming.*,
        row_number() over (partition by incoming.sha256 order by incoming.seq) as nth
    from incoming
    anti join stored on incoming.sha256 = stored.sha256
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
