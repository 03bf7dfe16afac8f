-- The next review exclusion decision id.
select coalesce(max(decision_id), 0) + 1 from review_exclusions
