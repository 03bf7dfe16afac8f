-- CSV floor: the three CSV files of publish (SPEC §9) written by DuckDB's COPY, byte for byte as
-- unionflow writes them: UTF-8 with a byte-order mark (the first header cell's alias starts with
-- U+FEFF, since COPY has no BOM option), CRLF line ends, minimal quoting, scores with 4 decimals,
-- text that a spreadsheet would run as a formula prefixed with a quote, empty cells unquoted, and
-- no comment character (DuckDB quotes a cell holding its default `#` otherwise).
-- {scores}, {allocations} and {quarantine} are the output paths, quoted by the runner.
create or replace temp macro fl_cell(t) as nullif(case when regexp_matches(t, '^[=+\-@\t\r]') then '''' || t else t end, '');
create or replace temp macro fl_score(v) as printf('%.4f', v);

copy (
    select
        year as "﻿year", fl_cell(unit_id) as unit_id, fl_cell(name) as name, fl_cell(level) as level,
        fl_score(indicator_score) as indicator_score, fl_score(peer_score) as peer_score,
        fl_score(bonus) as bonus, fl_score(total) as total, rank, rank_in_level,
        fl_cell(grade) as grade, n_reviews, fl_cell(flags) as flags
    from scores
    where score_run_id = $score_run_id
    order by rank asc nulls last, unit_id
) to {scores} (format csv, header, new_line e'\r\n', comment '');

copy (
    select "﻿year", unit_id, name, total, grade, amount_cny, reason
    from (
        select
            0 as part, amount_cny as sort_amount, unit_id as sort_id,
            year::varchar as "﻿year", fl_cell(unit_id) as unit_id, fl_cell(name) as name, fl_score(total) as total,
            fl_cell(grade) as grade, amount_cny, fl_cell(reason) as reason
        from allocations
        where allocation_run_id = $allocation_run_id
        union all
        select 1, null, null, 'TOTAL', null, null, null, null, sum(amount_cny), null
        from allocations
        where allocation_run_id = $allocation_run_id
    )
    order by part, sort_amount desc, sort_id
) to {allocations} (format csv, header, new_line e'\r\n', comment '');

copy (
    select
        fl_cell(record_kind) as "﻿record_kind", fl_cell(source_ref) as source_ref, fl_cell(unit_id) as unit_id,
        year, fl_cell(rule) as rule, fl_cell(message) as message
    from quarantine
    where year = $year or record_kind = 'unit'
    order by case record_kind when 'unit' then 1 when 'submission' then 2 else 3 end, quarantine_id
) to {quarantine} (format csv, header, new_line e'\r\n', comment '')
