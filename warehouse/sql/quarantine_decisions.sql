-- Steward decisions, all or of one quarantined record, in order.
select decision_id, quarantine_id, record_kind, year, unit_id, decision, reason, decided_by,
       decided_at, rules, waived_rules, outcome, remaining
from quarantine_decisions
where $id is null or quarantine_id = $id
order by decision_id
