-- Contracts floor for submissions: every payload of the year's submissions gets its status
-- (accepted, superseded, quarantined, replayed), its sorted rule list and its typed fields, in one
-- pass of plain SQL over raw_payloads (SPEC §4). Parameters: $year, $deadline, $paths and $n
-- (see `extracted`),
-- $one_line and $free_text (the characters text may not hold).
create or replace table bench_floor.submission_verdicts as
with raw as (
    select payload_id, source_ref, payload
    from raw_payloads
    where record_kind = 'submission' and year = $year
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
        f[1] as submission_id, f[2] as unit_id, fl_num(f[3]) as year, f[4] as submitted_at,
        fl_num(f[5]) as employees, fl_num(f[6]) as union_members, fl_num(f[7]) as training_sessions,
        fl_num(f[8]) as trainees, fl_num(f[9]) as skill_upgrades, fl_num(f[10]) as competitions,
        fl_num(f[11]) as competition_participants, fl_num(f[12]) as competition_finalists,
        fl_num(f[13]) as studios, fl_num(f[14]) as studios_city_level, fl_num(f[15]) as innovation_results,
        fl_num(f[16]) as innovation_value_cny, fl_num(f[17]) as proposals_submitted,
        fl_num(f[18]) as proposals_adopted, fl_num(f[19]) as craftsmen_honors,
        fl_num(f[20]) as service_activities, fl_num(f[21]) as workers_served, f[22] as summary
    from fielded
),

typed as (
    select
        *,
        fl_text_rules(submission_id, true, 64, $one_line) as r_submission_id,
        fl_text_rules(unit_id, true, null, $one_line) as r_unit_id,
        fl_text_rules(summary, false, 5000, $free_text) as r_summary,
        fl_money_text_rules(innovation_value_cny) as r_money,
        fl_money(innovation_value_cny) as t_money,
        fl_ts(submitted_at) as t_submitted_at,
        fl_int(year) as i_year,
        fl_int(employees) as i_employees,
        fl_int(union_members) as i_union_members,
        fl_int(training_sessions) as i_training_sessions,
        fl_int(trainees) as i_trainees,
        fl_int(skill_upgrades) as i_skill_upgrades,
        fl_int(competitions) as i_competitions,
        fl_int(competition_participants) as i_competition_participants,
        fl_int(competition_finalists) as i_competition_finalists,
        fl_int(studios) as i_studios,
        fl_int(studios_city_level) as i_studios_city_level,
        fl_int(innovation_results) as i_innovation_results,
        fl_int(proposals_submitted) as i_proposals_submitted,
        fl_int(proposals_adopted) as i_proposals_adopted,
        fl_int(craftsmen_honors) as i_craftsmen_honors,
        fl_int(service_activities) as i_service_activities,
        fl_int(workers_served) as i_workers_served
    from texts
),

-- The content as one string: typed values where they parse, text otherwise (replays).
fingerprinted as (
    select
        *,
        concat_ws(chr(31),
            coalesce(submission_id, '∅'), coalesce(unit_id, '∅'), coalesce(i_year::varchar, year, '∅'),
            coalesce(epoch_us(t_submitted_at)::varchar, submitted_at, '∅'),
            coalesce(i_employees::varchar, employees, '∅'),
            coalesce(i_union_members::varchar, union_members, '∅'),
            coalesce(i_training_sessions::varchar, training_sessions, '∅'),
            coalesce(i_trainees::varchar, trainees, '∅'),
            coalesce(i_skill_upgrades::varchar, skill_upgrades, '∅'),
            coalesce(i_competitions::varchar, competitions, '∅'),
            coalesce(i_competition_participants::varchar, competition_participants, '∅'),
            coalesce(i_competition_finalists::varchar, competition_finalists, '∅'),
            coalesce(i_studios::varchar, studios, '∅'),
            coalesce(i_studios_city_level::varchar, studios_city_level, '∅'),
            coalesce(i_innovation_results::varchar, innovation_results, '∅'),
            coalesce(t_money::varchar, innovation_value_cny, '∅'),
            coalesce(i_proposals_submitted::varchar, proposals_submitted, '∅'),
            coalesce(i_proposals_adopted::varchar, proposals_adopted, '∅'),
            coalesce(i_craftsmen_honors::varchar, craftsmen_honors, '∅'),
            coalesce(i_service_activities::varchar, service_activities, '∅'),
            coalesce(i_workers_served::varchar, workers_served, '∅'),
            coalesce(summary, '∅')
        ) as content
    from typed
),

versions as (
    select
        *,
        submission_id is not null and row_number() over key_order > 1 and is_record as later,
        content = first_value(content) over key_order as same_as_first
    from fingerprinted
    window key_order as (partition by submission_id order by payload_id)
),

registered as (
    select v.*, u.unit_id is not null as known, u.active_from, u.active_to
    from versions as v
    left join units as u on u.unit_id = (case when len(v.r_unit_id) = 0 then v.unit_id end)
),

ruled as (
    select
        *,
        later and same_as_first as replayed,
        case
            when not is_record then ['malformed']
            when later and same_as_first then []
            else list_concat(
                r_submission_id, r_unit_id, r_summary, r_money,
                case when t_money < 0 and len(r_money) = 0 then ['out_of_range'] else [] end,
                fl_ts_rules(submitted_at, t_submitted_at),
                fl_int_rules(year, i_year, true, 2000, 2100),
                fl_int_rules(employees, i_employees, true, 1, null),
                fl_int_rules(union_members, i_union_members, true, 0, null),
                fl_int_rules(training_sessions, i_training_sessions, true, 0, null),
                fl_int_rules(trainees, i_trainees, true, 0, null),
                fl_int_rules(skill_upgrades, i_skill_upgrades, true, 0, null),
                fl_int_rules(competitions, i_competitions, true, 0, null),
                fl_int_rules(competition_participants, i_competition_participants, true, 0, null),
                fl_int_rules(competition_finalists, i_competition_finalists, true, 0, null),
                fl_int_rules(studios, i_studios, true, 0, null),
                fl_int_rules(studios_city_level, i_studios_city_level, true, 0, null),
                fl_int_rules(innovation_results, i_innovation_results, true, 0, null),
                fl_int_rules(proposals_submitted, i_proposals_submitted, true, 0, null),
                fl_int_rules(proposals_adopted, i_proposals_adopted, true, 0, null),
                fl_int_rules(craftsmen_honors, i_craftsmen_honors, true, 0, null),
                fl_int_rules(service_activities, i_service_activities, true, 0, null),
                fl_int_rules(workers_served, i_workers_served, true, 0, null),
                case when i_union_members > i_employees
                    or (i_training_sessions > 0 and i_training_sessions > i_trainees)
                    or i_competition_finalists > i_competition_participants
                    or i_studios_city_level > i_studios
                    or i_proposals_adopted > i_proposals_submitted then ['inconsistent'] else [] end,
                case when len(r_unit_id) = 0 and unit_id is not null and not known then ['unknown_unit'] else [] end,
                case when known and (active_from > $year or $year > coalesce(active_to, 9999)) then ['inactive_unit'] else [] end,
                case when i_year <> $year then ['wrong_year'] else [] end,
                case when t_submitted_at > $deadline then ['late'] else [] end,
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
            partition by valid, unit_id order by t_submitted_at desc, submission_id desc
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
        unit_id as responsible_unit_id,
        submission_id, unit_id, cast(i_year as integer) as year, t_submitted_at as submitted_at,
        i_employees as employees,
        i_union_members as union_members,
        i_training_sessions as training_sessions,
        i_trainees as trainees,
        i_skill_upgrades as skill_upgrades,
        i_competitions as competitions,
        i_competition_participants as competition_participants,
        i_competition_finalists as competition_finalists,
        i_studios as studios,
        i_studios_city_level as studios_city_level,
        i_innovation_results as innovation_results,
        case when valid then cast(innovation_value_cny as decimal(18, 2)) end as innovation_value_cny,
        i_proposals_submitted as proposals_submitted,
        i_proposals_adopted as proposals_adopted,
        i_craftsmen_honors as craftsmen_honors,
        i_service_activities as service_activities,
        i_workers_served as workers_served,
        summary
    from latest
)

select * from final
