-- returns: value
-- params: workspace_id, type, key
-- Delete a node; its edges, both ways, go with it (on delete cascade).
-- Null when this workspace has no such node.
delete from nodes
where workspace_id = :workspace_id
  and type = :type
  and key = :key
returning id;
