-- One objection, filed open.
insert into objections (objection_id, year, unit_id, allocation_run_id, reason, filed_at,
    filed_by, status)
values (?, ?, ?, ?, ?, ?, ?, 'open')
