-- returns: row
-- params: workspace_id, type, key
-- A node's id and properties, locked until the transaction ends, so that a
-- merge patch computed from them is not lost to a concurrent write.
select id, properties
from nodes
where workspace_id = :workspace_id
  and type = :type
  and key = :key
for no key update;
