-- One record kind's reconciliation for a collection (SPEC section 5).
insert into collection_counts (collection_id, record_kind, received, accepted, quarantined, superseded, replayed)
values ($collection_id, $kind, $received, $accepted, $quarantined, $superseded, $replayed)
