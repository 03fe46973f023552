-- returns: rows
-- The versions already applied, oldest first.
select version, name, applied_at
from skein_migrations
order by version;
