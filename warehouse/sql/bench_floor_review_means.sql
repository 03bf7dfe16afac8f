-- Bench floor (plain DuckDB, same work): mean review scores per reviewee.
select reviewee_unit_id, avg(guidance), avg(skills), avg(innovation), avg(institution), avg(service) from reviews where status = 'accepted' group by all
