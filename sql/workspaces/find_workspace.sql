-- returns: value
-- params: name
-- A workspace's id by name, or null.
select id
from workspaces
where name = :name;
