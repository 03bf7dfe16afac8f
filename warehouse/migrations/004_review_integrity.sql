-- Steward decisions to leave a (flagged) review out of scoring, or to take it back in.
-- Append-only audit: the latest decision per review counts.
create table review_exclusions (
    decision_id  bigint      not null,
    year         integer     not null,
    review_id    varchar     not null,
    action       varchar     not null,  -- exclude | include
    reason       varchar     not null,
    decided_by   varchar     not null,
    decided_at   timestamptz not null
);
