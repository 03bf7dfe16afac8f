-- The score columns the GX scores suite checks, by unit.
select unit_id, total, rank, grade from scores where score_run_id = $id order by unit_id
