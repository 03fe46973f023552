-- returns: row
-- params: id, properties
-- Store a node's patched properties (the node was locked by lock_node).
update nodes
set properties = :properties,
    updated_at = now()
where id = :id
returning type, key, properties, created_at, updated_at;
