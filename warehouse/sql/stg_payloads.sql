-- Staged payloads of one record kind and year: each field's text at its JSON path, else at its
-- alias path (the Chinese header), trimmed, with blanks as null.
-- `part` is the partition (of $parts) the record key hashes to, so that all versions of one
-- record are validated together. The whole kind is staged once into a temporary table and read
-- back one partition at a time: the profile of a 1,000,000-unit year showed each of ten review
-- partitions re-parsing every payload when each partition was staged from the raw table.
-- A payload that is not a JSON object, a region a reader could not read as a record (stored
-- with "_malformed", the reader's reason) or a row with more cells than headers ("_row") is
-- flagged so the contracts can quarantine it as `malformed`, with the reason when there is one.
-- A field given under both its English key and its Chinese header with different values is
-- ambiguous: `alias_conflicts` lists them (position in $paths, both texts), never a silent choice.
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

final as (
    select
        payload_id,
        collection_id,
        source_ref,
        case when is_object then
            json_extract(payload, '$."_row"') is null and json_extract(payload, '$."_malformed"') is null
        else false end as is_record,
        case when is_object then json_extract_string(payload, '$."_malformed"') end as malformed_reason,
        case when is_object then
            list_transform(
                list_zip(json_extract_string(payload, $paths), json_extract_string(payload, $aliases)),
                lambda pair: coalesce(nullif(trim(pair[1]), ''), nullif(trim(pair[2]), ''))
            )
        end as fields,
        case when is_object then
            list_filter(
                list_transform(
                    list_zip(json_extract_string(payload, $paths), json_extract_string(payload, $aliases)),
                    lambda pair, i: {'position': i, 'english': trim(pair[1]), 'chinese': trim(pair[2])}
                ),
                lambda given: given.english <> '' and given.chinese <> '' and given.english <> given.chinese
            )
        end as alias_conflicts,
        case when $parts = 1 then 0 else hash(
            case when is_object then
                coalesce(json_extract_string(payload, $key_path), json_extract_string(payload, $key_alias))
            end
        ) % $parts end as part
    from shaped
)

select * from final
