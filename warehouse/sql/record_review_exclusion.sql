-- One audited exclude/include decision on a review (append-only; `scope` is null for a single
-- review, 'reviewer:<unit_id>' when all of a reviewer's reviews were decided in one step).
insert into review_exclusions (decision_id, year, review_id, action, reason, decided_by, decided_at, scope)
values ($decision_id, $year, $review_id, $action, $reason, $decided_by, $decided_at, $scope)
