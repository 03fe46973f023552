-- returns: value
-- How many workspaces exist: zero means a database that was never set up.
select count(*)
from workspaces;
