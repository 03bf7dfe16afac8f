-- A steward may exclude every review of a flagged reviewer in one step (`review exclude --reviewer`).
-- Each review still gets its own audit row; `scope` says what the decision was about: null for one
-- review (`review exclude ID`), 'reviewer:<unit_id>' for all of a reviewer's reviews at once.
-- Add-only: DuckDB refuses ALTER only on indexed tables, and review_exclusions has no index.
alter table review_exclusions add column scope varchar;
-- (Steward decisions on quarantined records may now also be 'reopened' — quarantine_decisions.decision
-- is a varchar, so that needs no schema change; see warehouse/stewardship.py.)
