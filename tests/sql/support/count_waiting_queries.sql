-- returns: value
-- params: database
-- Tests only: Skein's statements still running in a database, e.g. after a
-- timeout that should have cancelled them in PostgreSQL.
select count(*)
from pg_stat_activity
where datname = :database
  and application_name = 'skein'
  and state = 'active'
  and pid <> pg_backend_pid();
