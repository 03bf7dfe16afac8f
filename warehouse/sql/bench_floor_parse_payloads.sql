-- Bench floor (plain DuckDB, same work): parse every payload and check one field.
with parsed as (select case when json_valid(payload) then payload end as doc from raw_payloads) select count(*) filter (where try_cast(doc->>'$.guidance' as integer) is null), count(distinct doc->>'$.review_id') from parsed
