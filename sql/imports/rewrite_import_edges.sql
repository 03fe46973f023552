-- returns: status
-- params: workspace_id
-- After merge_import_edges left some edges alone because an earlier batch
-- of this import wrote them: give them this batch's later properties. A
-- row whose properties already match (every row the merge itself wrote)
-- is not written again.
with latest as (
    select distinct on (s.id, staged.edge_type, t.id)
           s.id as source_id, staged.edge_type, t.id as target_id,
           coalesce(staged.properties, '{}')::jsonb as properties
    from import_staging as staged
    join nodes as s
        on s.workspace_id = :workspace_id and s.type = staged.source_type and s.key = staged.source_key
    join nodes as t
        on t.workspace_id = :workspace_id and t.type = staged.target_type and t.key = staged.target_key
    where staged.edge_type is not null
    order by s.id, staged.edge_type, t.id, staged.line desc
)
update edges as e
set properties = latest.properties,
    updated_at = now()
from latest
where e.source_id = latest.source_id
  and e.type = latest.edge_type
  and e.target_id = latest.target_id
  and e.properties is distinct from latest.properties;
