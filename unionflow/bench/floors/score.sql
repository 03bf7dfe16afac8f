-- Score floor (SPEC §7 with the default config of unionflow/assessment/default_config.toml):
-- percentiles of per-employee rates within each level, trimmed means of the peer reviews, bonus,
-- total, ranks, grades, review flags and an input hash over the rows scored, in plain SQL.
-- Weights are written as doubles (`0.15::double`) and summed in SPEC table order, as the scoring
-- does, so equal inputs give equal floats.
create or replace table bench_floor.review_flags as
with reviews as (
    select reviewer_unit_id, reviewee_unit_id, guidance, skills, innovation, institution, service,
        (guidance + skills + innovation + institution + service)::double as own_sum
    from reviews
    where year = $year and status = 'accepted'
),

means as (
    select
        *,
        own_sum / 5.0 as own_mean,
        case when count(*) over reviewee > 1 then
            (sum(own_sum) over reviewee - own_sum) / (5.0 * (count(*) over reviewee - 1.0)) end as others_mean
    from reviews
    window reviewee as (partition by reviewee_unit_id)
),

inflated as (
    select reviewer_unit_id, reviewee_unit_id from means where own_mean - others_mean > 10.0
),

mutual as (
    select 'mutual_inflation' as flag, a.reviewer_unit_id, a.reviewee_unit_id
    from inflated as a
    join inflated as b on b.reviewer_unit_id = a.reviewee_unit_id and b.reviewee_unit_id = a.reviewer_unit_id
    where a.reviewer_unit_id < a.reviewee_unit_id
),

flat as (
    select 'flat_reviewer' as flag, reviewer_unit_id, null as reviewee_unit_id
    from reviews
    group by reviewer_unit_id
    having count(*) >= 4
        and max(guidance) = min(guidance) and max(skills) = min(skills) and max(innovation) = min(innovation)
        and max(institution) = min(institution) and max(service) = min(service)
),

centred as (
    select
        reviewer_unit_id,
        own_mean - avg(own_mean) over reviewer as dx,
        others_mean - avg(others_mean) over reviewer as dy
    from means
    where others_mean is not null
    window reviewer as (partition by reviewer_unit_id)
),

contrarian as (
    select 'contrarian' as flag, reviewer_unit_id, null as reviewee_unit_id
    from centred
    group by reviewer_unit_id
    having count(*) >= 4 and sum(dx * dx) > 1e-12 and sum(dy * dy) > 1e-12
        and sum(dx * dy) / sqrt(sum(dx * dx) * sum(dy * dy)) < 0.0
),

wide as (
    select 'wide_disagreement' as flag, null as reviewer_unit_id, reviewee_unit_id
    from reviews
    group by reviewee_unit_id
    having greatest(max(guidance) - min(guidance), max(skills) - min(skills), max(innovation) - min(innovation),
        max(institution) - min(institution), max(service) - min(service)) > 40
),

final as (
    select * from mutual
    union all select * from flat
    union all select * from contrarian
    union all select * from wide
)

select * from final
order by flag, reviewer_unit_id nulls first, reviewee_unit_id nulls first;

create or replace table bench_floor.scores as
with units as (
    select unit_id, name, level
    from units
    where active_from <= $year and coalesce(active_to, 9999) >= $year
),

submissions as (
    select s.*, u.level
    from submissions as s
    join units as u using (unit_id)
    where s.year = $year and s.status = 'accepted'
),

rates as (
    select
        unit_id, level, craftsmen_honors,
        trainees / employees::double as r1, skill_upgrades / employees::double as r2,
        competition_participants / employees::double as r3, studios / employees::double as r4,
        innovation_results / employees::double as r5,
        innovation_value_cny::double / employees::double as r6,
        case when proposals_submitted > 0 then proposals_adopted / proposals_submitted::double else 0.0 end as r7,
        proposals_submitted / employees::double as r8, workers_served / employees::double as r9,
        count(*) over (partition by level) as n
    from submissions
),

-- The average ascending rank among ties is the mean of the tie's first and last rank; the last is
-- the count up to the value, peers included (the window's default frame), from the same sort.
ranked as (
    select
        unit_id, level, craftsmen_honors, n,
        (rank() over (partition by level order by r1) + count(*) over (partition by level order by r1)) / 2.0 as a1,
        (rank() over (partition by level order by r2) + count(*) over (partition by level order by r2)) / 2.0 as a2,
        (rank() over (partition by level order by r3) + count(*) over (partition by level order by r3)) / 2.0 as a3,
        (rank() over (partition by level order by r4) + count(*) over (partition by level order by r4)) / 2.0 as a4,
        (rank() over (partition by level order by r5) + count(*) over (partition by level order by r5)) / 2.0 as a5,
        (rank() over (partition by level order by r6) + count(*) over (partition by level order by r6)) / 2.0 as a6,
        (rank() over (partition by level order by r7) + count(*) over (partition by level order by r7)) / 2.0 as a7,
        (rank() over (partition by level order by r8) + count(*) over (partition by level order by r8)) / 2.0 as a8,
        (rank() over (partition by level order by r9) + count(*) over (partition by level order by r9)) / 2.0 as a9
    from rates
),

indicator as (
    select
        unit_id, craftsmen_honors,
        0.15::double * (case when n = 1 then 50.0 else 100.0 * (a1 - 1.0) / (n - 1.0) end)
        + 0.15::double * (case when n = 1 then 50.0 else 100.0 * (a2 - 1.0) / (n - 1.0) end)
        + 0.10::double * (case when n = 1 then 50.0 else 100.0 * (a3 - 1.0) / (n - 1.0) end)
        + 0.10::double * (case when n = 1 then 50.0 else 100.0 * (a4 - 1.0) / (n - 1.0) end)
        + 0.10::double * (case when n = 1 then 50.0 else 100.0 * (a5 - 1.0) / (n - 1.0) end)
        + 0.15::double * (case when n = 1 then 50.0 else 100.0 * (a6 - 1.0) / (n - 1.0) end)
        + 0.10::double * (case when n = 1 then 50.0 else 100.0 * (a7 - 1.0) / (n - 1.0) end)
        + 0.05::double * (case when n = 1 then 50.0 else 100.0 * (a8 - 1.0) / (n - 1.0) end)
        + 0.10::double * (case when n = 1 then 50.0 else 100.0 * (a9 - 1.0) / (n - 1.0) end) as indicator_score
    from ranked
),

per_criterion as (
    select
        reviewee_unit_id as unit_id,
        count(*) as n,
        sum(guidance)::double as s1, max(guidance) as h1, min(guidance) as l1,
        sum(skills)::double as s2, max(skills) as h2, min(skills) as l2,
        sum(innovation)::double as s3, max(innovation) as h3, min(innovation) as l3,
        sum(institution)::double as s4, max(institution) as h4, min(institution) as l4,
        sum(service)::double as s5, max(service) as h5, min(service) as l5
    from reviews
    where year = $year and status = 'accepted'
    group by reviewee_unit_id
),

trimmed as (
    select
        unit_id, n,
        case when n >= 5 then (s1 - h1 - l1) / (n - 2.0) when n >= 3 then s1 / n end as m1,
        case when n >= 5 then (s2 - h2 - l2) / (n - 2.0) when n >= 3 then s2 / n end as m2,
        case when n >= 5 then (s3 - h3 - l3) / (n - 2.0) when n >= 3 then s3 / n end as m3,
        case when n >= 5 then (s4 - h4 - l4) / (n - 2.0) when n >= 3 then s4 / n end as m4,
        case when n >= 5 then (s5 - h5 - l5) / (n - 2.0) when n >= 3 then s5 / n end as m5
    from per_criterion
),

peer as (
    select unit_id, n,
        0.15::double * m1 + 0.25::double * m2 + 0.25::double * m3 + 0.15::double * m4 + 0.20::double * m5 as peer_score
    from trimmed
),

totals as (
    select
        u.unit_id, u.name, u.level, i.indicator_score, p.peer_score,
        case when i.unit_id is null then 0.0 else least(5.0, 1.0 * i.craftsmen_honors) end as bonus,
        i.unit_id is not null as submitted,
        coalesce(p.n, 0) as n_reviews
    from units as u
    left join indicator as i using (unit_id)
    left join peer as p using (unit_id)
),

keyed as (
    select
        *,
        case when 0.4::double * indicator_score + 0.6::double * peer_score + bonus is not null then
            least(100.0, 0.4::double * indicator_score + 0.6::double * peer_score + bonus) end as total
    from totals
),

ranked_totals as (
    select
        *,
        case when total is not null then rank() over (partition by total is null order by round(total, 9) desc) end as rank,
        case when total is not null then
            rank() over (partition by total is null, level order by round(total, 9) desc) end as rank_in_level,
        (count(total) over () + 4) // 5 as excellent_quota
    from keyed
),

unit_flags as (
    select reviewer_unit_id as unit_id, flag from bench_floor.review_flags where reviewer_unit_id is not null
    union
    select reviewee_unit_id, flag from bench_floor.review_flags where reviewee_unit_id is not null
    union
    select unit_id, 'insufficient_reviews' from keyed where n_reviews < 3
),

flag_lists as (
    select unit_id, string_agg(flag, ';' order by flag) as flags from unit_flags group by unit_id
),

final as (
    select
        t.unit_id, t.name, t.level, t.indicator_score, t.peer_score, t.bonus, t.total,
        t.rank, t.rank_in_level,
        case when not t.submitted then 'missing' when t.total is null then 'incomplete'
            when round(t.total, 9) >= 85.0 and t.rank <= t.excellent_quota then 'excellent'
            when round(t.total, 9) >= 75.0 then 'good' when round(t.total, 9) >= 60.0 then 'pass'
            else 'fail' end as grade,
        t.n_reviews,
        coalesce(f.flags, '') as flags
    from ranked_totals as t
    left join flag_lists as f using (unit_id)
)

select * from final
order by rank is null, rank, unit_id;

-- The input hash: a digest of the sorted row hashes of every input scored.
select sha256(string_agg(h::varchar, ',' order by h)) as input_hash
from (
    select hash(unit_id, name, level) as h from units where active_from <= $year and coalesce(active_to, 9999) >= $year
    union all
    select hash(s) from (
        select * exclude (payload_id, status) from submissions where year = $year and status = 'accepted'
    ) as s
    union all
    select hash(review_id, reviewer_unit_id, reviewee_unit_id, guidance, skills, innovation, institution, service)
    from reviews where year = $year and status = 'accepted'
)
