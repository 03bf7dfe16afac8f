-- Remember where a portal collection stopped.
insert into collection_cursors (source, record_kind, year, cursor, updated_since, updated_at)
values ($source, $kind, $year, $cursor, $updated_since, $updated_at)
