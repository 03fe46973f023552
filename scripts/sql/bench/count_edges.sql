-- returns: value
-- Benchmarks only: how many edges the search path's edges table holds.
select count(*)
from edges;
