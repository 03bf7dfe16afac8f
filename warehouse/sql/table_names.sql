-- The tables of the open database, by name.
select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'main' order by table_name
