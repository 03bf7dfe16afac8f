-- Why an allocation run leaves more than one step of its budget (code and JSON figures).
insert into allocation_leftovers (allocation_run_id, reason_code, params)
values (?, ?, ?)
