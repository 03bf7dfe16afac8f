-- Bench floor (plain DuckDB, same work): write the reviews table once.
create or replace temp table copy_of_reviews as select * from reviews
