-- returns: rows
-- Benchmarks only: every node's id in load order, to resolve generated edges.
select id
from nodes
order by id;
