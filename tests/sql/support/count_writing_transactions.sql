-- returns: value
-- params: database
-- Tests only: Skein's open transactions in a database that have written
-- something (PostgreSQL gave them a transaction id), e.g. an import midway.
select count(*)
from pg_stat_activity
where datname = :database
  and application_name = 'skein'
  and backend_xid is not null
  and pid <> pg_backend_pid();
