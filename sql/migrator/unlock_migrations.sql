-- returns: status
-- params: lock_id
-- Release the lock taken by lock_migrations.
select pg_advisory_unlock(:lock_id);
