-- A year's validated reviews (registered as `incoming_reviews`).
insert into reviews by name select * exclude (submitted_text) from incoming_reviews
