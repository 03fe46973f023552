-- returns: status
-- The table each batch of an import's lines is copied into: temporary (no
-- WAL, local buffers), private to the session, dropped when the
-- transaction ends, commit or rollback.
create temp table import_staging (like import_staging) on commit drop;
