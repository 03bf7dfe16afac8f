-- The upheld objections that concern an allocation run.
select objection_id from objections where year = ? and status = 'upheld' and allocation_run_id = ? order by 1
