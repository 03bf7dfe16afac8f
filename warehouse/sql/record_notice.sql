-- The notice stage of a run, with its objection period.
insert into publication_stages (year, allocation_run_id, stage, period_start, period_end,
    closes_at, contact, published_at, force_reason)
values (?, ?, 'notice', ?, ?, ?, ?, ?, null)
