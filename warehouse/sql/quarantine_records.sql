-- Quarantined records as a steward lists them: the record's own id (submission_id, review_id or
-- unit_id, read from the verbatim payload under its English key or its Chinese header), where it
-- came from, the rules it breaks and the latest steward decision (pending when none).
-- Registry rows have no year and concern every year, so a year filter keeps them. `total` is the
-- number of matching rows before the limit.
with quarantined as (
    select q.quarantine_id, q.record_kind, q.source_ref, q.unit_id, q.year, q.rule, q.message, p.payload
    from quarantine as q
    inner join raw_payloads as p using (payload_id)
    where ($year is null or q.year = $year or q.record_kind = 'unit')
        and ($rule is null or list_contains(string_split(q.rule, ';'), $rule))
        and ($kind is null or q.record_kind = $kind)
        and ($quarantine_id is null or q.quarantine_id = $quarantine_id)
),

identified as (
    select
        *,
        case when json_valid(payload) and json_type(payload) = 'OBJECT' then
            coalesce(
                json_extract_string(payload, case record_kind
                    when 'unit' then $unit_key when 'submission' then $submission_key else $review_key end),
                json_extract_string(payload, case record_kind
                    when 'unit' then $unit_alias when 'submission' then $submission_alias else $review_alias end)
            )
        end as record_id
    from quarantined
),

decided as (
    {{ ref('int_latest_quarantine_decisions') }}
),

final as (
    select
        i.quarantine_id,
        i.record_kind,
        i.record_id,
        i.source_ref,
        i.unit_id,
        i.year,
        i.rule,
        i.message,
        coalesce(d.decision, 'pending') as decision,
        count(*) over () as total
    from identified as i
    left join decided as d using (quarantine_id)
    where $record_id is null or i.record_id = $record_id
)

select * from final
order by quarantine_id
limit coalesce($limit, 9223372036854775807)
