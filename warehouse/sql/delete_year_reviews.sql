-- A year's reviews are replaced whole on every validation.
delete from reviews where year = ?
