-- A year's publication stages, in order.
select * from publication_stages where year = $year order by published_at, stage
