-- The quarantine of one record kind and year is replaced whole on every validation.
delete from quarantine where record_kind = ? and year is not distinct from ?
