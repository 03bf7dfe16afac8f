-- Steward decisions on quarantined records (SPEC section 5: release or reject, with a reason, audited).
-- Append-only: a decision is never deleted or re-decided (a new row is added); only `outcome` and
-- `remaining` are filled in right after the re-validation the decision triggers. The latest decision
-- per quarantine_id is the record's status (warehouse/stewardship.py). Like 001, no keys or indexes (DuckDB refuses ALTER on indexed tables).
create table quarantine_decisions (
    decision_id    bigint      not null,
    quarantine_id  bigint      not null,  -- = payload_id, stable across re-validation
    record_kind    varchar     not null,  -- unit | submission | review
    year           integer,               -- null for units
    unit_id        varchar,
    decision       varchar     not null,  -- released | rejected
    reason         varchar     not null,
    decided_by     varchar     not null,
    decided_at     timestamptz not null,
    rules          varchar     not null,  -- the rules the record broke when the decision was taken
    waived_rules   varchar     not null,  -- release: the procedural rules waived (';'-joined); reject: ''
    outcome        varchar     not null,  -- after re-validation: accepted | superseded | quarantined
    remaining      varchar                -- rules and message still failing after a release, if any
);
