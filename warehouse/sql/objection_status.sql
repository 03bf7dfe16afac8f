-- The status of one objection.
select status from objections where objection_id = ?
