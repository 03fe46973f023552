-- returns: value
-- params: database
-- Tests only: statements in a database waiting for a row or table lock
-- that a test holds, so the test knows its race is set up.
select count(*)
from pg_stat_activity
where datname = :database
  and wait_event_type = 'Lock'
  and pid <> pg_backend_pid();
