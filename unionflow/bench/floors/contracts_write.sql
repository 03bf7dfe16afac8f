-- The contracts floor's writes, as unionflow's load makes them: the year's valid submissions and
-- reviews (accepted and superseded) and one quarantine row per quarantined payload.
create or replace table bench_floor.submissions as
select * exclude (source_ref, rule, responsible_unit_id, status), status
from bench_floor.submission_verdicts
where status in ('accepted', 'superseded');

create or replace table bench_floor.reviews as
select * exclude (source_ref, rule, responsible_unit_id, status), status
from bench_floor.review_verdicts
where status in ('accepted', 'superseded');

create or replace table bench_floor.quarantine as
select payload_id, 'submission' as record_kind, source_ref, responsible_unit_id as unit_id, $year as year, rule,
    'breaks ' || replace(rule, ';', ', ') || ' (' || source_ref || ')' as message
from bench_floor.submission_verdicts
where status = 'quarantined'
union all
select payload_id, 'review', source_ref, responsible_unit_id, $year, rule,
    'breaks ' || replace(rule, ';', ', ') || ' (' || source_ref || ')'
from bench_floor.review_verdicts
where status = 'quarantined';
