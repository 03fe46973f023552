-- returns: status
-- params: lock_id
-- Wait for the migration lock, so that processes starting at once apply each
-- migration exactly once. Session-level: held until unlock_migrations.
select pg_advisory_lock(:lock_id);
