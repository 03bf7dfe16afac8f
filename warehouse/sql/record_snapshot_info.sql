-- When a read snapshot was taken and of which warehouse file, stored inside the snapshot (attached
-- as {snapshot}).
create table {snapshot}.unionflow_snapshot as select now() as taken_at, ?::varchar as source_db
