-- A year's quarantine as quarantine.csv lists it: registry rows, then submissions, then reviews.
with year_quarantine as (
    {{ ref('int_year_quarantine') }}
),

final as (
    select record_kind, source_ref, unit_id, year, rule, message, quarantine_id
    from year_quarantine
)

select * exclude (quarantine_id) from final
order by case record_kind when 'unit' then 1 when 'submission' then 2 else 3 end, quarantine_id
