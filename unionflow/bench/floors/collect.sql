-- Collect floor: DuckDB's own readers on the folder's UTF-8 files, landing every record as a JSON
-- payload with its SHA-256 and every file with its bytes and SHA-256, as collect lands them.
-- Parameters: $files (every file read, for its receipt), $units and $reviews (CSV paths),
-- $jsonl and $json (lists of JSON Lines and JSON files of submissions).
create or replace table bench_floor.received_files as
select filename as path, octet_length(content) as size_bytes, sha256(content) as sha256, content
from read_blob($files);

create or replace table bench_floor.raw_payloads as
with units as (
    select 'unit' as record_kind, $units as filename, to_json(r)::varchar as payload
    from read_csv($units, all_varchar = true, nullstr = chr(1)) as r
),

reviews as (
    select 'review' as record_kind, $reviews as filename, to_json(r)::varchar as payload
    from read_csv($reviews, all_varchar = true, nullstr = chr(1)) as r
),

-- JSON Lines verbatim, line by line (a broken line is landed too: contracts quarantine it).
lines as (
    select 'submission' as record_kind, filename, line as payload
    from (select filename, unnest(string_split(content, chr(10))) as line from read_text($jsonl))
    where trim(line) <> ''
),

-- A JSON file holds one object or a list of them.
documents as (
    select 'submission' as record_kind, filename, unnest(
        case when json_valid(content) and json_type(content) = 'ARRAY' then json_extract(content, '$[*]')::varchar[]
        when json_valid(content) then [json(content)::varchar] else [content] end
    ) as payload
    from read_text($json)
),

-- Bytes received before for the same kind are a replay, counted but not stored twice.
final as (
    select record_kind, filename, payload, sha256(payload) as sha256
    from (
        select * from units
        union all select * from reviews
        union all select * from lines
        union all select * from documents
    )
)

select * from final
-- The first copy in file order (collect reads a folder's files sorted by name), as collect keeps it.
qualify row_number() over (partition by record_kind, sha256 order by filename) = 1
