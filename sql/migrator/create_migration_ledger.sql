-- returns: status
-- The ledger of applied migrations; created by the migrator itself so that
-- migration 0001 can be an ordinary migration.
create table if not exists skein_migrations (
    version    integer primary key,
    name       text not null,
    applied_at timestamptz not null default now()
);
