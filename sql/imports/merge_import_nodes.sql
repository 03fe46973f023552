-- returns: row
-- params: workspace_id
-- An import's nodes, one statement for all: each node once, from its last
-- line, created or its properties replaced whole; how many of each.
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
    returning (n.xmax = 0) as created
)
select count(*) filter (where created) as created,
       count(*) filter (where not created) as updated
from upserted;
