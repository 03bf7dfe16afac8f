-- A year's assignments are replaced whole.
delete from assignments where year = ?
