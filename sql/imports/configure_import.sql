-- returns: status
-- params: statement_timeout
-- Settings for the rest of this import's transaction. statement_timeout (in
-- milliseconds, '0' for none) replaces the per-request budget, which an
-- import of any size cannot keep; work_mem lets the merges sort and hash a
-- large staging table in memory instead of in temporary files.
select set_config('statement_timeout', :statement_timeout, true),
       set_config('work_mem', '64MB', true);
