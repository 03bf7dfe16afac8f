-- Bench floor (plain DuckDB, same work): aggregate the accepted submissions.
select count(*), count(distinct unit_id), avg(trainees / employees), max(innovation_value_cny / employees) from submissions where status = 'accepted'
