-- When the open read snapshot was taken (see record_snapshot_info).
select max(taken_at) from unionflow_snapshot
