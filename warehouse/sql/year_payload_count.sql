-- How many payloads of a year were received (every record kind).
with payloads as (
    select * from raw_payloads
),

final as (
    select count(*) as payloads
    from payloads
    where year = $year
)

select * from final
