-- returns: value
-- Readiness: PostgreSQL answers a trivial statement.
select 1;
