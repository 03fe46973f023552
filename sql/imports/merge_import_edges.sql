-- returns: row
-- params: workspace_id
-- The edge lines of one batch, after its nodes, one statement for all.
--
-- Lines whose source or target does not exist yet go to import_pending:
-- a later line may create the node. The others are written, each edge once
-- from its last line in the batch (deduplicating sorts by primary key, so
-- the inserts also arrive in edges_pkey order), and a pending line of an
-- earlier batch for the same edge is dropped: the later line won. created,
-- updated and repeated (then rewrite_import_edges) as in
-- merge_import_nodes; pending, the lines set aside.
with resolved as (
    select staged.*, s.id as source_id, t.id as target_id
    from import_staging as staged
    left join nodes as s
        on s.workspace_id = :workspace_id and s.type = staged.source_type and s.key = staged.source_key
    left join nodes as t
        on t.workspace_id = :workspace_id and t.type = staged.target_type and t.key = staged.target_key
    where staged.edge_type is not null
),
pended as (
    insert into import_pending (line, source_type, source_key, edge_type, target_type, target_key, properties)
    select line, source_type, source_key, edge_type, target_type, target_key, properties
    from resolved
    where source_id is null or target_id is null
    returning 1
),
latest as (
    select distinct on (source_id, edge_type, target_id) *
    from resolved
    where source_id is not null and target_id is not null
    order by source_id, edge_type, target_id, line desc
),
superseded as (
    delete from import_pending as pending
    using latest
    where pending.source_type = latest.source_type
      and pending.source_key = latest.source_key
      and pending.edge_type = latest.edge_type
      and pending.target_type = latest.target_type
      and pending.target_key = latest.target_key
      and pending.line < latest.line
),
upserted as (
    insert into edges as e (workspace_id, source_id, type, target_id, properties)
    select :workspace_id, source_id, edge_type, target_id, coalesce(properties, '{}')::jsonb
    from latest
    on conflict (source_id, type, target_id) do update
    set properties = excluded.properties,
        updated_at = now()
    where e.xmin <> pg_current_xact_id()::xid
    returning (e.xmax = 0) as created
)
select count(*) filter (where created) as created,
       count(*) filter (where not created) as updated,
       (select count(*) from latest) - count(*) as repeated,
       (select count(*) from pended) as pending
from upserted;
