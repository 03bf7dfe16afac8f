-- Why more than one step of an allocation run's budget stays unallocated (issue 14): the code of
-- unionflow.assessment.allocation.LEFTOVER_CODES and the figures its sentence names, as JSON, so
-- the report and the workbook explain the remainder in the reader's language. One row per run
-- that leaves more than one step; none for a run that spends the budget to within a step, nor for
-- runs made before this migration (their reports show the remainder without a reason).
create table if not exists allocation_leftovers (
    allocation_run_id  bigint   primary key,
    reason_code        varchar  not null,
    params             varchar  not null
);
