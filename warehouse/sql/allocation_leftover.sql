-- The leftover reason of allocation run $id (no row when it spends the budget to within a step).
with leftovers as (
    select * from allocation_leftovers
),

final as (
    select reason_code, params
    from leftovers
    where allocation_run_id = $id
)

select * from final
