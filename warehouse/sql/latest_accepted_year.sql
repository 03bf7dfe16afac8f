-- The latest year with an accepted submission.
select max(year) from submissions where status = 'accepted'
