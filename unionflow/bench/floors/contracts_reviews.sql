-- Contracts floor for peer reviews, as contracts_submissions.sql: status, sorted rule list and
-- typed fields of every review payload of the year (SPEC §4: scores 0–100, registered and active
-- units, no self-review, no same-district pair, assigned when the year has assignments; the
-- latest `submitted_at` of a pair counts, ties to the greatest `review_id`).
create or replace table bench_floor.review_verdicts as
with raw as (
    select payload_id, source_ref, payload
    from raw_payloads
    where record_kind = 'review' and year = $year
),

shaped as (
    select *, case when json_valid(payload) then json_type(payload) = 'OBJECT' else false end as is_object
    from raw
),

-- One JSON parse per payload for every field under both names and the reader's two markers
-- ($paths: the English paths, then the Chinese ones, then "_row" and "_malformed"; $n fields).
extracted as (
    select payload_id, source_ref, is_object, case when is_object then json_extract_string(payload, $paths) end as got
    from shaped
),

marked as (
    select
        payload_id,
        source_ref,
        is_object and got[2 * $n + 1] is null and got[2 * $n + 2] is null as plain,
        list_zip(got[1:$n], got[$n + 1:2 * $n]) as given
    from extracted
),

fielded as (
    select
        payload_id,
        source_ref,
        plain and not coalesce(list_bool_or(list_transform(given, lambda p:
            trim(p[1]) <> '' and trim(p[2]) <> '' and trim(p[1]) <> trim(p[2]))), false) as is_record,
        list_transform(given, lambda p: fl_blank(coalesce(nullif(trim(p[1]), ''), nullif(trim(p[2]), '')))) as f
    from marked
),

texts as (
    select
        payload_id, source_ref, is_record,
        f[1] as review_id, fl_num(f[2]) as year, f[3] as reviewer_unit_id, f[4] as reviewee_unit_id,
        fl_num(f[5]) as guidance, fl_num(f[6]) as skills, fl_num(f[7]) as innovation,
        fl_num(f[8]) as institution, fl_num(f[9]) as service, f[10] as submitted_at, f[11] as comment
    from fielded
),

typed as (
    select
        *,
        fl_text_rules(review_id, true, 64, $one_line) as r_review_id,
        fl_text_rules(reviewer_unit_id, true, null, $one_line) as r_reviewer,
        fl_text_rules(reviewee_unit_id, true, null, $one_line) as r_reviewee,
        fl_text_rules(comment, false, 5000, $free_text) as r_comment,
        fl_ts(submitted_at) as t_submitted_at,
        fl_int(year) as i_year,
        fl_int(guidance) as i_guidance,
        fl_int(skills) as i_skills,
        fl_int(innovation) as i_innovation,
        fl_int(institution) as i_institution,
        fl_int(service) as i_service
    from texts
),

fingerprinted as (
    select
        *,
        concat_ws(chr(31),
            coalesce(review_id, '∅'), coalesce(i_year::varchar, year, '∅'),
            coalesce(reviewer_unit_id, '∅'), coalesce(reviewee_unit_id, '∅'),
            coalesce(i_guidance::varchar, guidance, '∅'),
            coalesce(i_skills::varchar, skills, '∅'),
            coalesce(i_innovation::varchar, innovation, '∅'),
            coalesce(i_institution::varchar, institution, '∅'),
            coalesce(i_service::varchar, service, '∅'),
            coalesce(epoch_us(t_submitted_at)::varchar, submitted_at, '∅'), coalesce(comment, '∅')
        ) as content
    from typed
),

versions as (
    select
        *,
        case when len(r_reviewer) = 0 then reviewer_unit_id end as c_reviewer,
        case when len(r_reviewee) = 0 then reviewee_unit_id end as c_reviewee,
        review_id is not null and row_number() over key_order > 1 and is_record as later,
        content = first_value(content) over key_order as same_as_first
    from fingerprinted
    window key_order as (partition by review_id order by payload_id)
),

registered as (
    select
        v.*,
        er.unit_id is not null as reviewer_known, er.active_from as er_from, er.active_to as er_to,
        er.district as er_district,
        ee.unit_id is not null as reviewee_known, ee.active_from as ee_from, ee.active_to as ee_to,
        ee.district as ee_district,
        a.reviewer_unit_id is not null as assigned
    from versions as v
    left join units as er on er.unit_id = v.c_reviewer
    left join units as ee on ee.unit_id = v.c_reviewee
    left join (select distinct reviewer_unit_id, reviewee_unit_id from assignments where year = $year) as a
        on a.reviewer_unit_id = v.c_reviewer and a.reviewee_unit_id = v.c_reviewee
),

ruled as (
    select
        *,
        later and same_as_first as replayed,
        case
            when not is_record then ['malformed']
            when later and same_as_first then []
            else list_concat(
                r_review_id, r_reviewer, r_reviewee, r_comment, fl_ts_rules(submitted_at, t_submitted_at),
                fl_int_rules(year, i_year, true, 2000, 2100),
                fl_int_rules(guidance, i_guidance, true, 0, 100),
                fl_int_rules(skills, i_skills, true, 0, 100),
                fl_int_rules(innovation, i_innovation, true, 0, 100),
                fl_int_rules(institution, i_institution, true, 0, 100),
                fl_int_rules(service, i_service, true, 0, 100),
                case when (c_reviewer is not null and not reviewer_known)
                    or (c_reviewee is not null and not reviewee_known) then ['unknown_unit'] else [] end,
                case when (reviewer_known and (er_from > $year or $year > coalesce(er_to, 9999)))
                    or (reviewee_known and (ee_from > $year or $year > coalesce(ee_to, 9999)))
                    then ['inactive_unit'] else [] end,
                case when i_year <> $year then ['wrong_year'] else [] end,
                case when c_reviewer = c_reviewee then ['self_review'] else [] end,
                case when er_district = ee_district and c_reviewer <> c_reviewee then ['conflict_of_interest'] else [] end,
                case when exists (select 1 from assignments where year = $year) and not assigned then ['unassigned'] else [] end,
                case when later then ['conflicting_duplicate'] else [] end
            ) end as broken
    from registered
),

judged as (
    select
        *,
        array_to_string(list_sort(list_distinct(broken)), ';') as rules,
        not replayed and len(broken) = 0 as valid
    from ruled
),

latest as (
    select
        *,
        valid and row_number() over (
            partition by valid, reviewer_unit_id, reviewee_unit_id order by t_submitted_at desc, review_id desc
        ) = 1 as current
    from judged
),

final as (
    select
        payload_id,
        source_ref,
        case when replayed then 'replayed' when not valid then 'quarantined'
            when current then 'accepted' else 'superseded' end as status,
        nullif(rules, '') as rule,
        reviewer_unit_id as responsible_unit_id,
        review_id, cast(i_year as integer) as year, reviewer_unit_id, reviewee_unit_id,
        cast(i_guidance as integer) as guidance, cast(i_skills as integer) as skills,
        cast(i_innovation as integer) as innovation, cast(i_institution as integer) as institution,
        cast(i_service as integer) as service, t_submitted_at as submitted_at, comment
    from latest
)

select * from final
