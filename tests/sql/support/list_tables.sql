-- returns: rows
-- Tests only: every table of the database outside PostgreSQL's own schemas.
select table_name as name
from information_schema.tables
where table_type = 'BASE TABLE'
  and table_schema not in ('pg_catalog', 'information_schema')
  and table_schema not like 'pg\_temp%';
