-- The rows of one table ({table}: a quoted name read from the catalog; identifiers cannot be bound
-- parameters).
select count(*) from {table}
