-- Keep the bytes of the files a landed batch received (registered as `incoming_file_contents`),
-- once per SHA-256: a file already kept (an earlier collection, or twice in one batch) adds nothing.
insert into received_file_contents
with incoming as (
    select sha256, any_value(content) as content
    from incoming_file_contents
    group by sha256
),

new_contents as (
    select incoming.sha256, incoming.content
    from incoming
    anti join received_file_contents as kept on incoming.sha256 = kept.sha256
),

final as (
    select
        sha256,
        octet_length(content) as size_bytes,
        content,
        $received_at as first_received_at
    from new_contents
)

select * from final
order by sha256
