-- returns: status
-- params: seconds
-- Tests only: a statement that takes a known time.
select pg_sleep(:seconds);
