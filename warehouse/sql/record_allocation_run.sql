-- One allocation run, stored as a draft.
insert into allocation_runs (allocation_run_id, year, score_run_id, method, budget, floor,
    cap, step, allocated, unallocated, config_hash, input_hash, status, created_at)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)
