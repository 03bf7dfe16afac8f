-- The bench's command table: a quarantined record to show and decide on.
select min(quarantine_id) from quarantine
