-- The decision in force per quarantined record.
with latest as (
    {{ ref('int_latest_quarantine_decisions') }}
),

final as (
    select quarantine_id, decision as status, decided_by, decided_at, reason
    from latest
)

select * from final
order by quarantine_id
