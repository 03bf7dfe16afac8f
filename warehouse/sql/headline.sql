-- The report's headline figures of an allocation run ($run, of score run $score_run) of $year;
-- each figure is defined in docs/reports.md. Budget, allocated and unallocated come from the run.
with active_units as (
    {{ ref('int_active_units') }}
),

accepted_submissions as (
    {{ ref('int_accepted_submissions') }}
),

accepted_reviews as (
    {{ ref('int_accepted_reviews') }}
),

year_quarantine as (
    {{ ref('int_year_quarantine') }}
),

senders as (
    select unit_id from submissions where year = $year
    union
    select unit_id from year_quarantine where record_kind = 'submission' and unit_id is not null
),

final as (
    select
        (select count(*) from active_units) as registered,
        (select count(*) from senders where unit_id in (select unit_id from active_units)) as submitted,
        (select count(distinct unit_id) from accepted_submissions) as accepted,
        (select count(*) from year_quarantine where record_kind = 'unit') as quarantined_units,
        (select count(*) from year_quarantine where record_kind = 'submission') as quarantined_submissions,
        (select count(*) from year_quarantine where record_kind = 'review') as quarantined_reviews,
        (select count(*) from accepted_reviews) as reviews,
        (select count(*) from raw_payloads where record_kind = 'review' and year = $year) as reviews_received,
        (select count(total) from scores where score_run_id = $score_run) as scored,
        (select count(*) from allocations where allocation_run_id = $run and reason = 'funded') as funded
)

select * from final
