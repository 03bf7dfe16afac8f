-- The final publication stage of a run.
insert into publication_stages (year, allocation_run_id, stage, published_at, force_reason)
values (?, ?, 'final', ?, ?)
