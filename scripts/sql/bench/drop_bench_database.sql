-- returns: status
-- Benchmarks only: remove the benchmark database, even while connections
-- of a run that died are still open.
drop database if exists skein_bench with (force);
