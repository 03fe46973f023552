-- returns: status
-- Benchmarks only: what autovacuum soon does after a bulk load, at once:
-- statistics, and a visibility map that lets traversals read the edge
-- indexes alone.
vacuum analyze nodes, edges;
