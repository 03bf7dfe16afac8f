-- Mark the published run superseded, with the reason given.
update allocation_runs set status = 'superseded', superseded_reason = ? where allocation_run_id = ?
