-- One quarantined record with its verbatim payload and where it came from.
select q.quarantine_id, q.record_kind, q.source_ref, q.unit_id, q.year, q.rule, q.message,
       p.source, p.received_at, p.sha256, p.payload
from quarantine q join raw_payloads p using (payload_id)
where q.quarantine_id = $id
