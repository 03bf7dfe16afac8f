-- The ids of the units active in $year, in order.
with active_units as (
    {{ ref('int_active_units') }}
)

select unit_id from active_units
order by unit_id
