-- The validated registry (registered as `incoming_units`).
insert into units by name select unit_id, name, level, batch, sector, district, parent_union, active_from, active_to, payload_id from incoming_units
