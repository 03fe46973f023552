-- returns: status
-- params: statement_timeout
-- Settings for the rest of this import's transaction. statement_timeout (in
-- milliseconds) replaces the per-request budget, which an import of any
-- size cannot keep; work_mem lets a merge sort and hash its lines in memory
-- instead of in temporary files.
select set_config('statement_timeout', :statement_timeout, true),
       set_config('work_mem', '64MB', true);
