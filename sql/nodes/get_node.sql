-- returns: row
-- params: workspace_id, type, key
-- One node by its natural key; no row when this workspace has no such node.
select type, key, properties, created_at, updated_at
from nodes
where workspace_id = :workspace_id
  and type = :type
  and key = :key;
