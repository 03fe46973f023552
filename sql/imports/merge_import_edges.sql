-- returns: row
-- params: workspace_id
-- An import's edges, one statement for all, once every end is known to
-- exist: each edge once, from its last line, created or its properties
-- replaced whole; how many of each. Deduplicating sorts by primary key,
-- so the inserts also arrive in edges_pkey order.
with latest as (
    select distinct on (s.id, staged.edge_type, t.id)
           s.id as source_id, staged.edge_type, t.id as target_id, staged.properties
    from import_staging as staged
    join nodes as s
        on s.workspace_id = :workspace_id and s.type = staged.source_type and s.key = staged.source_key
    join nodes as t
        on t.workspace_id = :workspace_id and t.type = staged.target_type and t.key = staged.target_key
    where staged.edge_type is not null
    order by s.id, staged.edge_type, t.id, staged.line desc
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
