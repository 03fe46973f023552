-- returns: status
-- Benchmarks only: write out every dirty buffer, so that a load does not pay
-- for the one before it.
checkpoint;
