-- returns: row
-- Tests only: what a pool connection would carry from one request to the
-- next, were a request to leave it behind. A setting counts when a SET
-- changed it from what RESET would restore (asyncpg's type introspection
-- sets jit back to its own value, which is no change).
select array(
           select name || '=' || setting
           from pg_settings
           where source = 'session' and setting <> reset_val
           order by name
       ) as session_settings,
       (select count(*) from pg_class where relnamespace = pg_my_temp_schema()) as temporary_tables,
       -- The unnamed portal is the one running this statement.
       (select count(*) from pg_cursors where name <> '') as cursors,
       (select count(*) from pg_listening_channels()) as listening_channels,
       (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as advisory_locks,
       -- asyncpg's own statements are protocol-level; a SQL PREPARE would stay.
       (select count(*) from pg_prepared_statements where from_sql) as sql_prepared_statements;
