-- returns: row
-- params: workspace_id, types, keys, properties
-- A batch's nodes, one statement for all: create each or replace its
-- properties whole. The caller passes each node once (the later duplicate
-- won), in (type, key) order so that concurrent batches lock rows in one
-- order. properties are compact JSON texts.
with upserted as (
    insert into nodes as n (workspace_id, type, key, properties)
    select :workspace_id, item.type, item.key, item.properties::jsonb
    from unnest(:types::text[], :keys::text[], :properties::text[]) as item (type, key, properties)
    on conflict (workspace_id, type, key) do update
    set properties = excluded.properties,
        updated_at = now()
    returning (n.xmax = 0) as created
)
select count(*) filter (where created) as created,
       count(*) filter (where not created) as updated
from upserted;
