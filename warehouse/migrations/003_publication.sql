-- Publication stages (public notice 公示, then final) and objections against a unit's result.
-- Add-only and index-free like 001; ids are sequential integers chosen by warehouse/publication.py.

-- One row per stage of a year's publication: `notice` opens the objection period for an allocation
-- run, `final` records the definitive publication (with the reason when checks were overridden).
create table publication_stages (
    year               integer     not null,
    allocation_run_id  bigint      not null,
    stage              varchar     not null,  -- notice | final
    period_start       date,                  -- notice: first day of the objection period (local date)
    period_end         date,                  -- notice: last day of the objection period, inclusive
    closes_at          timestamptz,           -- notice: the instant the period closes (end of period_end)
    contact            varchar,               -- notice: whom to contact, as printed on the notice
    published_at       timestamptz not null,
    force_reason       varchar                -- final: why open checks were overridden (--force)
);

-- Every time `publish --stage final --force REASON` overrode a refusal: what was overridden and why.
create table publication_overrides (
    year               integer     not null,
    allocation_run_id  bigint      not null,
    blockers           varchar     not null,  -- the refusal message that was overridden
    reason             varchar     not null,
    forced_at          timestamptz not null,
    forced_by          varchar
);

-- Objections (异议) filed against a unit's result during the public notice, with an audited outcome.
create table objections (
    objection_id       bigint      not null,
    year               integer     not null,
    unit_id            varchar     not null,
    allocation_run_id  bigint,                -- the run whose result is contested (the latest at filing)
    reason             varchar     not null,
    filed_at           timestamptz not null,
    filed_by           varchar     not null,
    status             varchar     not null,  -- open | upheld | dismissed
    resolved_at        timestamptz,
    resolved_by        varchar,
    note               varchar
);
