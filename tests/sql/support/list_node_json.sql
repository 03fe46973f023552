-- returns: rows
-- params: workspace_id
-- Tests only: a workspace's nodes with the JSON each one stores.
select type, key, properties, created_at, updated_at, json_members
from nodes
where workspace_id = :workspace_id
order by type, key;
