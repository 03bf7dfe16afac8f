-- The steward decision in force on each quarantined record: its latest (decisions are
-- append-only; a record without one is pending).
select *
from quarantine_decisions
qualify row_number() over (partition by quarantine_id order by decision_id desc) = 1
