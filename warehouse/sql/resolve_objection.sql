-- A steward's resolution of an objection (audited: who, when, note).
update objections set status = ?, resolved_at = ?, resolved_by = ?, note = ? where objection_id = ?
