-- The name of the open database.
select current_database()
