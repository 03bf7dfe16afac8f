-- The rules a steward waived by releasing a record, per payload, of one kind and year (the
-- re-validation skips them).
with latest as (
    {{ ref('int_latest_quarantine_decisions') }}
),

final as (
    select quarantine_id as payload_id, unnest(string_split(waived_rules, ';')) as rule
    from latest
    where record_kind = $kind and year is not distinct from $year
        and decision = 'released' and waived_rules <> ''
)

select * from final
order by payload_id, rule
