-- The bytes of every received file (issue 14), kept once per SHA-256: a content-addressed copy, so
-- an audit can show every byte that arrived even after the source folder is gone, and collecting
-- the same folder again stores nothing new. `received_files.sha256` names the copy of each receipt.
create table received_file_contents (
    sha256       varchar     not null,
    size_bytes   bigint      not null,
    content      blob        not null,
    first_received_at timestamptz not null
);
