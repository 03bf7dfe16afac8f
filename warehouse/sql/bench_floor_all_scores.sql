-- Bench floor (plain DuckDB, same work): read the scores table to write it as CSV.
select * from scores
