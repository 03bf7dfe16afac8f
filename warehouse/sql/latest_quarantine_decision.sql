-- The latest steward decision on a quarantined record.
select * from quarantine_decisions where quarantine_id = $id order by decision_id desc limit 1
