-- The units scoring reads, by id.
with active_units as (
    {{ ref('int_active_units') }}
),

final as (
    select unit_id, name, level, district, batch, sector, parent_union
    from active_units
)

select * from final
order by unit_id
