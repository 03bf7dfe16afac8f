-- The accepted submissions the GX records suites check (with payload ids, so a failing value can
-- be traced), by unit.
with accepted as (
    {{ ref('int_accepted_submissions') }}
),

final as (
    select * exclude (innovation_value_cny, status),
           cast(innovation_value_cny as double) as innovation_value_cny
    from accepted
)

select * from final
order by unit_id, submission_id
