drop schema if exists bench_floor cascade;
