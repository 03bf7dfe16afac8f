-- The next steward decision id.
select coalesce(max(decision_id), 0) + 1 from quarantine_decisions
