-- returns: row
-- params: workspace_id, type, key, properties
-- A new node; fails with unique_violation when the workspace already has a
-- node of this type and key.
insert into nodes (workspace_id, type, key, properties)
values (:workspace_id, :type, :key, :properties)
returning id, type, key, properties, created_at, updated_at;
