-- A year's review exclusion decisions, in order.
select * from review_exclusions where year = $year order by decision_id
