-- returns: status
-- Empty the staging table for the next batch: a new file, not dead rows
-- that every later batch would scan again.
truncate import_staging;
