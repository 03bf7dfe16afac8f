-- Where a portal collection of one source, record kind and year stopped.
select cursor, updated_since
from collection_cursors
where source = $source and record_kind = $kind and year is not distinct from $year
