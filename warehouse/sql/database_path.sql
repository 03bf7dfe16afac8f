-- The file of the open database.
select path from duckdb_databases() where database_name = current_database()
