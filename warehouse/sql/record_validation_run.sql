-- One GX suite's outcome.
insert into validation_runs values (?, ?, ?, ?, ?, ?, ?, ?)
