-- The quarantine that concerns $year: its submissions and reviews, and the registry's units
-- (registry rows have no year and concern every year). Exactly the rows of quarantine.csv.
select *
from quarantine
where year = $year or record_kind = 'unit'
