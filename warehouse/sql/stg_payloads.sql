-- Staged payloads of one record kind and year: each field's text at its JSON path, else at its
-- alias path (the Chinese header), trimmed, with blanks as null.
-- Partition $part of $parts holds every payload whose record key hashes to it, so all versions of
-- one record are validated together ($parts = 1: everything).
-- A payload that is not a JSON object (or a CSV row with more cells than headers, stored
-- under "_row") is flagged so the contracts can quarantine it as `malformed`.
with raw as (
    select payload_id, collection_id, source_ref, payload
    from raw_payloads
    where record_kind = $kind and year is not distinct from $year
),

shaped as (
    select
        *,
        case when json_valid(payload) then json_type(payload) = 'OBJECT' else false end as is_object
    from raw
),

partitioned as (
    select *
    from shaped
    where $parts = 1 or hash(
        case when is_object then
            coalesce(json_extract_string(payload, $key_path), json_extract_string(payload, $key_alias))
        end
    ) % $parts = $part
),

final as (
    select
        payload_id,
        collection_id,
        source_ref,
        case when is_object then json_extract(payload, '$."_row"') is null else false end as is_record,
        case when is_object then
            list_transform(
                list_zip(json_extract_string(payload, $paths), json_extract_string(payload, $aliases)),
                lambda pair: coalesce(nullif(trim(pair[1]), ''), nullif(trim(pair[2]), ''))
            )
        end as fields
    from partitioned
)

select * from final order by payload_id
