-- returns: value
-- params: timeout
-- Tests only, inside a transaction: wait this long before looking for a
-- deadlock, so that in a deadlock with Skein, Skein's transaction is the
-- one PostgreSQL aborts.
select set_config('deadlock_timeout', :timeout, true);
