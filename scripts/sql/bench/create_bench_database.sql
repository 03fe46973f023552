-- returns: status
-- Benchmarks only: an empty database for one run; migrations fill it.
create database skein_bench;
