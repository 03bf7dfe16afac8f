-- Every file a folder collection read (issue 14), recorded with what arrived before it is parsed:
-- its size and the SHA-256 of its bytes, so an audit can match the source file byte for byte.
-- `status` is `parsed` (its rows became records or `malformed` rows) or `unreadable` (the whole
-- file became one `malformed` row: a damaged or empty workbook, no sheet naming the fields).
-- One row per file per collection: collecting the same folder again adds its receipts, and the
-- payloads themselves are replays.
create table received_files (
    collection_id  bigint      not null,
    record_kind    varchar     not null,
    path           varchar     not null,   -- relative to the source folder, as in source refs
    size_bytes     bigint      not null,
    sha256         varchar     not null,
    parser         varchar     not null,   -- csv | xlsx (sheet '…') | json | jsonl
    encoding       varchar,                -- text files: utf-8 | utf-8-sig | gb18030 (+ lines in another)
    status         varchar     not null,   -- parsed | unreadable
    payloads       bigint      not null,   -- records and malformed rows read from the file
    received_at    timestamptz not null
);
