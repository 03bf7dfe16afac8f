-- The deadline a collection of a year was validated against.
insert into year_deadlines (year, deadline, recorded_at)
values ($year, $deadline, $recorded_at)
