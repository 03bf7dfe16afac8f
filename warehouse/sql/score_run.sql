-- One score run by id (its peer method, hashes and creation time).
select * from score_runs where score_run_id = $id
