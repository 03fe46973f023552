-- returns: row
-- The planner settings the pool gives each connection (service/db.py).
select current_setting('plan_cache_mode') as plan_cache_mode,
       current_setting('jit') as jit,
       current_setting('work_mem') as work_mem;
