-- returns: row
-- params: workspace_id
-- The node lines of one batch, one statement for all: each node once, from
-- its last line, created or its properties replaced whole.
--
-- A node that an earlier batch of this import wrote (its row has this
-- transaction as xmin) is left alone here and counted in repeated; the
-- caller then runs rewrite_import_nodes. So created counts new rows (an
-- updated row carries the updating transaction in xmax, a new one 0) and
-- updated counts rows that existed before the import, each node once
-- however many batches name it, with no lookup beyond the upsert's own.
with latest as (
    select distinct on (node_type, node_key) node_type, node_key, properties
    from import_staging
    where node_type is not null
    order by node_type, node_key, line desc
),
upserted as (
    insert into nodes as n (workspace_id, type, key, properties)
    select :workspace_id, node_type, node_key, coalesce(properties, '{}')::jsonb
    from latest
    on conflict (workspace_id, type, key) do update
    set properties = excluded.properties,
        updated_at = now()
    where n.xmin <> pg_current_xact_id()::xid
    returning (n.xmax = 0) as created
)
select count(*) filter (where created) as created,
       count(*) filter (where not created) as updated,
       (select count(*) from latest) - count(*) as repeated
from upserted;
