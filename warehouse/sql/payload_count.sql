-- How many payloads of one record kind and year are stored.
select count(*) as payloads
from raw_payloads
where record_kind = $kind and year is not distinct from $year
