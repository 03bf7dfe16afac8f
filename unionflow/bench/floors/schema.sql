create schema if not exists bench_floor;
