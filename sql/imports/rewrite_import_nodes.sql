-- returns: status
-- params: workspace_id
-- After merge_import_nodes left some nodes alone because an earlier batch
-- of this import wrote them: give them this batch's later properties. A
-- row whose properties already match (every row the merge itself wrote)
-- is not written again.
with latest as (
    select distinct on (node_type, node_key) node_type, node_key, coalesce(properties, '{}')::jsonb as properties
    from import_staging
    where node_type is not null
    order by node_type, node_key, line desc
)
update nodes as n
set properties = latest.properties,
    updated_at = now()
from latest
where n.workspace_id = :workspace_id
  and n.type = latest.node_type
  and n.key = latest.node_key
  and n.properties is distinct from latest.properties;
