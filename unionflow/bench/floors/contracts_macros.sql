-- Macros of the contracts floor (SPEC §4), written independently of unionflow's contracts: each
-- turns one field's text into its rule codes or its typed value, so the per-kind floors list one
-- line per field. `blank` trims like the staging does; `num` is NFKC for what numbers use
-- (full-width digits, signs, separators, the ideographic space) and drops real thousands groups.
-- A macro is expanded where it is used, so the floors compute each typed value once (a column)
-- and hand it to the rule macros: a first version re-ran every regular expression per use and
-- was slower than unionflow at 100,000 units.
create or replace temp macro fl_blank(t) as nullif(trim(t, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '');
create or replace temp macro fl_nfkc(t) as trim(translate(t, '０１２３４５６７８９，．＋－　', '0123456789,.+- '));
create or replace temp macro fl_num(t) as case
    when regexp_full_match(fl_nfkc(t), '[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?') then replace(fl_nfkc(t), ',', '')
    else fl_nfkc(t) end;
create or replace temp macro fl_int(v) as case
    when regexp_full_match(v, '[+-]?\d{1,18}(?:\.0+)?') then cast(split_part(v, '.', 1) as bigint) end;
create or replace temp macro fl_money(v) as case
    when regexp_full_match(v, '[+-]?(?:\d+(?:\.\d*)?|\.\d+)') then try_cast(v as double) end;
create or replace temp macro fl_ts(v) as case
    when regexp_full_match(v, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)')
    then try_cast(v as timestamptz) end;
create or replace temp macro fl_missing(v, required) as case when required and v is null then ['missing_field'] else [] end;
-- Rules of a whole number `v` whose value `i` is fl_int(v): its text, then its bounds (a value that
-- failed its text rule has no bounds).
create or replace temp macro fl_int_rules(v, i, required, lo, hi) as case
    when v is null then fl_missing(v, required)
    when i is not null then case when i < lo or i > hi then ['out_of_range'] else [] end
    when regexp_full_match(v, '[+-]?\d+(?:\.0+)?') then ['out_of_range']
    else ['not_a_number'] end;
create or replace temp macro fl_money_text_rules(v) as case
    when v is null then ['missing_field']
    else list_concat(
        case when fl_money(v) is null then ['not_a_number'] else [] end,
        case when abs(fl_money(v)) >= 1e15 then ['out_of_range'] else [] end,
        case when length(rtrim(coalesce(regexp_extract(v, '\.(\d*)$', 1), ''), '0')) > 2 then ['out_of_range'] else [] end
    ) end;
create or replace temp macro fl_ts_rules(v, t) as case
    when v is null then ['missing_field'] when t is null then ['bad_timestamp'] else [] end;
create or replace temp macro fl_text_rules(v, required, max_length, unsafe) as case
    when v is null then fl_missing(v, required)
    else list_concat(
        case when regexp_matches(v, unsafe) then ['unsafe_text'] else [] end,
        case when length(v) > max_length then ['too_long'] else [] end
    ) end;
