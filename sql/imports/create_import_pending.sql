-- returns: status
-- The table an import's edge lines wait in while an end is not yet known;
-- temporary and dropped at the transaction's end, as import_staging.
create temp table import_pending (like import_pending) on commit drop;
