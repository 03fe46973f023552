-- returns: status
-- params: version, name
-- Runs in the same transaction as the migration it records.
insert into skein_migrations (version, name)
values (:version, :name);
