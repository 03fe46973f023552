-- returns: status
-- This import's staging table: temporary (no WAL, local buffers), private
-- to the session, dropped when the transaction ends, commit or rollback.
create temp table import_staging (like import_staging) on commit drop;
