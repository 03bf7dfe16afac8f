-- The reviewer → reviewee assignments of a year.
select reviewer_unit_id, reviewee_unit_id from assignments where year = ?
