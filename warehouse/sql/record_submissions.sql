-- A year's validated submissions (registered as `incoming_submissions`); the amount as an exact
-- decimal from its text.
insert into submissions by name
select * exclude (innovation_value_cny, innovation_value_cny_text, submitted_text),
       cast(innovation_value_cny_text as decimal(18, 2)) as innovation_value_cny
from incoming_submissions
