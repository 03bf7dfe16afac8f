-- A year's submissions are replaced whole on every validation.
delete from submissions where year = ?
