-- returns: status
-- Benchmarks only: the schema where Skein's migrations make the tables that
-- the raw COPY loads, beside the service's own.
create schema bench_raw;
