-- How many payloads are stored, all kinds and years (landing counts what it stored by difference).
select count(*) as payloads
from raw_payloads
