-- Core schema of SPEC section 9. Deliberately no PRIMARY KEY, UNIQUE or index: DuckDB refuses ALTER on
-- tables with indexes, and uniqueness is guaranteed by the set-based rebuilds in warehouse/records.py.

-- Every payload ever received, verbatim, before anything parses it.
create table raw_payloads (
    payload_id     bigint      not null,
    record_kind    varchar     not null,  -- unit | submission | review
    year           integer,               -- the collection's year; null for units
    source         varchar     not null,  -- folder path or portal base URL
    source_ref     varchar     not null,  -- file#line, file#row or portal page item
    sha256         varchar     not null,
    payload        varchar     not null,
    received_at    timestamptz not null,
    collection_id  bigint      not null
);

create table collection_runs (
    collection_id  bigint      not null,
    year           integer,
    source         varchar     not null,
    started_at     timestamptz not null,
    finished_at    timestamptz,
    status         varchar     not null   -- running | completed | failed
);

-- The reconciliation of SPEC section 5, per collection and record kind.
create table collection_counts (
    collection_id  bigint  not null,
    record_kind    varchar not null,
    received       bigint  not null,
    accepted       bigint  not null,
    quarantined    bigint  not null,
    superseded     bigint  not null,
    replayed       bigint  not null
);

create table collection_cursors (
    source         varchar     not null,
    record_kind    varchar     not null,
    year           integer,
    cursor         varchar,
    updated_since  varchar,
    updated_at     timestamptz not null
);

create table units (
    unit_id        varchar not null,
    name           varchar not null,
    level          varchar not null,
    batch          integer not null,
    sector         varchar not null,
    district       varchar not null,
    parent_union   varchar,
    active_from    integer not null,
    active_to      integer,
    payload_id     bigint  not null
);

create table submissions (
    payload_id                bigint        not null,
    submission_id             varchar       not null,
    unit_id                   varchar       not null,
    year                      integer       not null,
    submitted_at              timestamptz   not null,
    employees                 bigint        not null,
    union_members             bigint        not null,
    training_sessions         bigint        not null,
    trainees                  bigint        not null,
    skill_upgrades            bigint        not null,
    competitions              bigint        not null,
    competition_participants  bigint        not null,
    competition_finalists     bigint        not null,
    studios                   bigint        not null,
    studios_city_level        bigint        not null,
    innovation_results        bigint        not null,
    innovation_value_cny      decimal(18, 2) not null,
    proposals_submitted       bigint        not null,
    proposals_adopted         bigint        not null,
    craftsmen_honors          bigint        not null,
    service_activities        bigint        not null,
    workers_served            bigint        not null,
    summary                   varchar,
    status                    varchar       not null  -- accepted | superseded
);

create table reviews (
    payload_id        bigint      not null,
    review_id         varchar     not null,
    year              integer     not null,
    reviewer_unit_id  varchar     not null,
    reviewee_unit_id  varchar     not null,
    guidance          integer     not null,
    skills            integer     not null,
    innovation        integer     not null,
    institution       integer     not null,
    service           integer     not null,
    submitted_at      timestamptz not null,
    comment           varchar,
    status            varchar     not null  -- accepted | superseded
);

-- One row per rejected payload; quarantine_id is the payload_id, so it is stable across re-validation.
create table quarantine (
    quarantine_id  bigint  not null,
    payload_id     bigint  not null,
    record_kind    varchar not null,
    source_ref     varchar not null,
    unit_id        varchar,
    year           integer,
    rule           varchar not null,
    message        varchar not null
);

create table assignments (
    year              integer     not null,
    reviewer_unit_id  varchar     not null,
    reviewee_unit_id  varchar     not null,
    seed              bigint,
    created_at        timestamptz not null
);

create table validation_runs (
    validation_run_id  bigint      not null,
    year               integer,
    suite              varchar     not null,
    success            boolean     not null,
    evaluated          integer     not null,
    failed             integer     not null,
    summary            varchar,             -- JSON
    started_at         timestamptz not null
);

create table score_runs (
    score_run_id   bigint      not null,
    year           integer     not null,
    peer_method    varchar     not null,
    config_hash    varchar     not null,
    input_hash     varchar     not null,
    created_at     timestamptz not null
);

create table scores (
    score_run_id     bigint  not null,
    year             integer not null,
    unit_id          varchar not null,
    name             varchar not null,
    level            varchar not null,
    indicator_score  double,
    peer_score       double,
    bonus            double,
    total            double,
    rank             integer,
    rank_in_level    integer,
    grade            varchar not null,
    n_reviews        integer not null,
    flags            varchar not null,
    config_hash      varchar not null,
    input_hash       varchar not null
);

create table review_flags (
    score_run_id      bigint  not null,
    year              integer not null,
    flag              varchar not null,
    reviewer_unit_id  varchar,
    reviewee_unit_id  varchar,
    evidence          varchar not null   -- JSON
);

create table allocation_runs (
    allocation_run_id  bigint      not null,
    year               integer     not null,
    score_run_id       bigint      not null,
    method             varchar     not null,
    budget             bigint      not null,
    floor              bigint      not null,
    cap                bigint      not null,
    step               bigint      not null,
    allocated          bigint      not null,
    unallocated        bigint      not null,
    config_hash        varchar     not null,
    input_hash         varchar     not null,
    status             varchar     not null,  -- draft | published | superseded
    created_at         timestamptz not null,
    published_at       timestamptz,
    superseded_reason  varchar
);

create table allocations (
    allocation_run_id  bigint  not null,
    year               integer not null,
    unit_id            varchar not null,
    name               varchar not null,
    total              double,
    grade              varchar not null,
    amount_cny         bigint  not null,
    reason             varchar not null
);
