-- Quarantined records (registered as `incoming_quarantine`).
insert into quarantine by name select * from incoming_quarantine
