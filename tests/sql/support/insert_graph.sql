-- returns: status
-- params: workspace_id, node_types, node_keys, node_properties, source_types, source_keys, edge_types, target_types, target_keys
-- Tests only: load a small graph into an empty workspace in one statement
-- (nodes as parallel arrays, edges as refs split into parallel arrays).
with inserted as (
    insert into nodes (workspace_id, type, key, properties)
    select :workspace_id, n.type, n.key, n.properties
    from unnest(:node_types::text[], :node_keys::text[], :node_properties::jsonb[]) as n (type, key, properties)
    returning id, type, key
)
insert into edges (workspace_id, source_id, type, target_id)
select :workspace_id, s.id, e.type, t.id
from unnest(
    :source_types::text[], :source_keys::text[], :edge_types::text[], :target_types::text[], :target_keys::text[]
) as e (source_type, source_key, type, target_type, target_key)
join inserted as s on s.type = e.source_type and s.key = e.source_key
join inserted as t on t.type = e.target_type and t.key = e.target_key;
