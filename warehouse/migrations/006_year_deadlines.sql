-- The submission deadline each collection validated a year against (append-only: the latest
-- counts), so a steward's release re-validates with the same deadline.
create table year_deadlines (
    year         integer     not null,
    deadline     timestamptz not null,
    recorded_at  timestamptz not null
);
