-- The next objection id.
select coalesce(max(objection_id), 0) + 1 from objections
