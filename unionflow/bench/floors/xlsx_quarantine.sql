-- Rows of the workbook's Quarantine sheet.
select record_kind, source_ref, unit_id, year, rule, message
from quarantine
where year = $year or record_kind = 'unit'
order by case record_kind when 'unit' then 1 when 'submission' then 2 else 3 end, quarantine_id
