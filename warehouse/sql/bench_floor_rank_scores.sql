-- Bench floor (plain DuckDB, same work): sort the scores.
select unit_id, total from scores order by total desc
