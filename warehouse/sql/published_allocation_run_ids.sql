-- The published allocation run of every year (the publications whose backups retention keeps).
with runs as (
    select * from allocation_runs
),

final as (
    select allocation_run_id, year
    from runs
    where status = 'published'
    order by year
)

select * from final
