-- One steward decision on a quarantined record (append-only).
insert into quarantine_decisions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
