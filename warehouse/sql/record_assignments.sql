-- A year's assignments (registered as `incoming_assignments`).
insert into assignments by name select year, reviewer_unit_id, reviewee_unit_id, seed, created_at from incoming_assignments
