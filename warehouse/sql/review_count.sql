-- Whether a review id exists in a year (0 or 1).
select count(*) from reviews where year = ? and review_id = ?
