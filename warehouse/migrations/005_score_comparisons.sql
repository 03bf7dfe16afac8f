-- With the calibrated peer method, each unit's rank and total under the default trimmed mean too,
-- so leadership can see what calibration changed.
create table score_comparisons (
    score_run_id        bigint  not null,
    unit_id             varchar not null,
    total_trimmed_mean  double,
    rank_trimmed_mean   integer,
    total_calibrated    double,
    rank_calibrated     integer
);
