-- returns: row
-- Tests only: what a pool connection would carry from one request to the
-- next, were a request to leave it behind.
select current_setting('work_mem') as work_mem,
       current_setting('statement_timeout') as statement_timeout,
       (select count(*) from pg_class where relnamespace = pg_my_temp_schema()) as temporary_tables;
