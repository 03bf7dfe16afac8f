-- The accepted submissions scoring reads, by unit; the amount as a double for the pure code.
with accepted as (
    {{ ref('int_accepted_submissions') }}
),

final as (
    select * exclude (innovation_value_cny, status, payload_id),
           cast(innovation_value_cny as double) as innovation_value_cny
    from accepted
)

select * from final
order by unit_id
