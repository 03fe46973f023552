-- returns: row
-- params: workspace_id, type, key
-- One node by its natural key; no row when the workspace has none.
select id, type, key, properties, created_at, updated_at
from nodes
where workspace_id = :workspace_id
    and type = :type
    and key = :key;
