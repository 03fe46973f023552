-- returns: row
-- params: workspace_id
-- Once every batch is merged and every pending line's ends exist: the
-- pending edge lines, each edge once from its last line; how many created
-- and how many updated. No batch wrote these edges: a line that a later
-- written line superseded was dropped already, and a later line of an edge
-- cannot have been written, since its ends, once there, stay there.
with latest as (
    select distinct on (s.id, pending.edge_type, t.id)
           s.id as source_id, pending.edge_type, t.id as target_id, pending.properties
    from import_pending as pending
    join nodes as s
        on s.workspace_id = :workspace_id and s.type = pending.source_type and s.key = pending.source_key
    join nodes as t
        on t.workspace_id = :workspace_id and t.type = pending.target_type and t.key = pending.target_key
    order by s.id, pending.edge_type, t.id, pending.line desc
),
upserted as (
    insert into edges as e (workspace_id, source_id, type, target_id, properties)
    select :workspace_id, source_id, edge_type, target_id, coalesce(properties, '{}')::jsonb
    from latest
    on conflict (source_id, type, target_id) do update
    set properties = excluded.properties,
        updated_at = now()
    returning (e.xmax = 0) as created
)
select count(*) filter (where created) as created,
       count(*) filter (where not created) as updated
from upserted;
