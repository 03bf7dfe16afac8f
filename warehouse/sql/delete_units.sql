-- The registry is replaced whole.
delete from units
