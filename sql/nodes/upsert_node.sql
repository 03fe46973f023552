-- returns: row
-- params: workspace_id, type, key, properties
-- Create a node or replace its properties whole. created is true for a new
-- row: an updated row carries the updating transaction in xmax, a new one 0.
insert into nodes as n (workspace_id, type, key, properties)
values (:workspace_id, :type, :key, :properties)
on conflict (workspace_id, type, key) do update
set properties = excluded.properties,
    updated_at = now()
returning n.type, n.key, n.properties, n.created_at, n.updated_at, (n.xmax = 0) as created;
