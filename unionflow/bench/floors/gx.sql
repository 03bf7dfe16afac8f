-- GX floor: the 18 expectations of the records suites (expectations/submissions.*.json and
-- reviews.*.json, the same bounds) as SQL aggregates over the year's accepted records: one row per
-- check with the rows it looked at, the unexpected ones and whether it passed. As in GX, a
-- missing value is neither expected nor unexpected in a range check.
with active as (
    select unit_id from units where active_from <= $year and coalesce(active_to, 9999) >= $year
),

submissions as (
    select s.*, s.unit_id in (select unit_id from active) as unit_active
    from submissions as s
    where s.year = $year and s.status = 'accepted'
),

previous as (
    select * from main.submissions where year = $year - 1 and status = 'accepted'
),

-- The largest smoothed jump factor (larger + 1) / (smaller + 1) over the compared indicators.
jumps as (
    select
        s.unit_id,
        greatest(
            (greatest(s.employees, p.employees) + 1.0) / (least(s.employees, p.employees) + 1.0),
            (greatest(s.trainees, p.trainees) + 1.0) / (least(s.trainees, p.trainees) + 1.0),
            (greatest(s.skill_upgrades, p.skill_upgrades) + 1.0) / (least(s.skill_upgrades, p.skill_upgrades) + 1.0),
            (greatest(s.competition_participants, p.competition_participants) + 1.0)
            / (least(s.competition_participants, p.competition_participants) + 1.0),
            (greatest(s.innovation_results, p.innovation_results) + 1.0) / (least(s.innovation_results, p.innovation_results) + 1.0),
            (greatest(s.innovation_value_cny, p.innovation_value_cny)::double + 1.0)
            / (least(s.innovation_value_cny, p.innovation_value_cny)::double + 1.0),
            (greatest(s.proposals_submitted, p.proposals_submitted) + 1.0) / (least(s.proposals_submitted, p.proposals_submitted) + 1.0),
            (greatest(s.workers_served, p.workers_served) + 1.0) / (least(s.workers_served, p.workers_served) + 1.0)
        ) as jump
    from submissions as s
    join previous as p using (unit_id)
),

summary as (
    select
        (select count(*) from active) as active_units,
        (select count(distinct unit_id) from submissions where unit_active) as submitting
),

reviews as (
    select
        *,
        least(guidance, skills, innovation, institution, service) as lowest,
        greatest(guidance, skills, innovation, institution, service) as highest,
        (guidance + skills + innovation + institution + service) / 5.0 as mean_score
    from main.reviews
    where year = $year and status = 'accepted'
),

reviewees as (
    select a.unit_id, count(r.review_id) as n_valid
    from active as a
    left join reviews as r on r.reviewee_unit_id = a.unit_id
    group by a.unit_id
),

reviewers as (
    select reviewer_unit_id, count(*) as n_reviews, stddev_pop(mean_score) as spread
    from reviews
    group by reviewer_unit_id
),

checks as (
    select 'year_summary_row' as "check", 1 as rows, 0 as unexpected
    union all
    select 'coverage_min', 1, (case when active_units = 0 or submitting / active_units not between 0.25 and 1.0 then 1 else 0 end)
    from summary
    union all
    select 'coverage_target', 1, (case when active_units = 0 or submitting / active_units < 0.9 then 1 else 0 end)
    from summary
    union all
    select 'one_submission_per_unit', count(*), count(*) - count(*) filter (where n = 1)
    from (select count(*) over (partition by unit_id) as n from submissions)
    union all
    select 'submission_id_unique', count(*), count(*) - count(*) filter (where n = 1)
    from (select count(*) over (partition by submission_id) as n from submissions)
    union all
    select 'submitter_active', count(*), count(*) filter (where not unit_active) from submissions
    union all
    select 'employees_positive', count(*), count(*) filter (where employees < 1) from submissions
    union all
    select 'trainees_per_employee', count(*), count(*) filter (where trainees / employees::double not between 0 and 20)
    from submissions
    union all
    select 'innovation_value_per_employee', count(*),
        count(*) filter (where innovation_value_cny::double / employees::double not between 0 and 200000)
    from submissions
    union all
    select 'proposals_per_employee', count(*), count(*) filter (where proposals_submitted / employees::double not between 0 and 10)
    from submissions
    union all
    select 'year_over_year_jump', count(*), count(*) filter (where jump > 5) from jumps
    union all
    select 'one_review_per_pair', count(*), count(*) - count(*) filter (where n = 1)
    from (select count(*) over (partition by reviewer_unit_id, reviewee_unit_id) as n from reviews)
    union all
    select 'review_id_unique', count(*), count(*) - count(*) filter (where n = 1)
    from (select count(*) over (partition by review_id) as n from reviews)
    union all
    select 'lowest_score_min', count(*), count(*) filter (where lowest < 0) from reviews
    union all
    select 'highest_score_max', count(*), count(*) filter (where highest > 100) from reviews
    union all
    select 'no_self_review', count(*), count(*) filter (where reviewer_unit_id = reviewee_unit_id) from reviews
    union all
    select 'min_reviews', count(*), count(*) filter (where n_valid < 3) from reviewees
    union all
    select 'reviewer_spread', count(*), count(*) filter (where spread not between 0.5 and 30)
    from reviewers where n_reviews >= 4
),

final as (
    select "check", rows, unexpected, unexpected = 0 as success from checks
)

select * from final
order by "check"
