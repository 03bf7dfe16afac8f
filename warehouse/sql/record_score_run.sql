-- One score run with its config and input hashes.
insert into score_runs values (?, ?, ?, ?, ?, ?)
