-- What re-validation made of a released or rejected record, filled in on its decision once known
-- (the decision row must exist first: re-validation reads the waiver from it).
update quarantine_decisions set outcome = ?, remaining = ? where decision_id = ?
