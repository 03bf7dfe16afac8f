-- The open objections of a year.
select objection_id from objections where year = ? and status = 'open' order by 1
