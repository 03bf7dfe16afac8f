-- Forget a portal collection's stored cursor (it is replaced in the same transaction).
delete from collection_cursors
where source = $source and record_kind = $kind and year is not distinct from $year
