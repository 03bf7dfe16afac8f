-- Bench floor (plain DuckDB, same work): read every source file once.
select count(*) from read_csv($reviews, all_varchar = true) union all select count(*) from read_json($submissions, format = 'newline_delimited', ignore_errors = true)
