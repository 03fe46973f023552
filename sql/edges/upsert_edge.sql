-- returns: row
-- params: workspace_id, source_type, source_key, type, target_type, target_key, properties
-- Create an edge or replace its properties whole, in one round trip.
--
-- Both ends are looked up by natural key and locked against deletion until
-- the transaction ends (for key share, the lock the foreign keys take), so
-- a node deleted meanwhile cannot break the insert. source_found and
-- target_found say which end is missing when nothing was written; created
-- is true for a new row (an updated row carries the updating transaction in
-- xmax, a new one 0).
with source as (
    select id
    from nodes
    where workspace_id = :workspace_id
      and type = :source_type
      and key = :source_key
    for key share
),
target as (
    select id
    from nodes
    where workspace_id = :workspace_id
      and type = :target_type
      and key = :target_key
    for key share
),
upserted as (
    insert into edges as e (workspace_id, source_id, type, target_id, properties)
    select :workspace_id, source.id, :type, target.id, :properties
    from source
    cross join target
    on conflict (source_id, type, target_id) do update
    set properties = excluded.properties,
        updated_at = now()
    returning e.properties, e.created_at, e.updated_at, (e.xmax = 0) as created
)
select exists (select 1 from source) as source_found,
       exists (select 1 from target) as target_found,
       u.properties, u.created_at, u.updated_at, u.created
from (values (1)) as one
left join upserted as u on true;
