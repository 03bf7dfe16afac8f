-- One partition of the staged payloads (see stg_payloads), in payload order.
select * exclude (part)
from staged_payloads
where part = $part
order by payload_id
