-- returns: row
-- params: workspace_id, source_types, source_keys, types, target_types, target_keys, properties
-- A batch's edges, one statement for all, after its nodes were upserted.
--
-- The arrays are parallel, one element per item in request order (position
-- 1 is the first). Each end is looked up by natural key; missing_sources and
-- missing_targets list the positions of items whose end does not exist, and
-- when either is non-empty nothing is written. Otherwise each edge is
-- written once, from the last item naming it, in primary key order.
with item as (
    select *
    from unnest(
        :source_types::text[], :source_keys::text[], :types::text[],
        :target_types::text[], :target_keys::text[], :properties::text[]
    ) with ordinality as item (source_type, source_key, type, target_type, target_key, properties, position)
),
resolved as (
    select item.position, s.id as source_id, item.type, t.id as target_id, item.properties
    from item
    left join nodes as s
        on s.workspace_id = :workspace_id and s.type = item.source_type and s.key = item.source_key
    left join nodes as t
        on t.workspace_id = :workspace_id and t.type = item.target_type and t.key = item.target_key
),
latest as (
    select distinct on (source_id, type, target_id) source_id, type, target_id, properties
    from resolved
    where not exists (select 1 from resolved where source_id is null or target_id is null)
    order by source_id, type, target_id, position desc
),
upserted as (
    insert into edges as e (workspace_id, source_id, type, target_id, properties)
    select :workspace_id, source_id, type, target_id, properties::jsonb
    from latest
    on conflict (source_id, type, target_id) do update
    set properties = excluded.properties,
        updated_at = now()
    returning (e.xmax = 0) as created
)
select (select count(*) from upserted where created) as created,
       (select count(*) from upserted where not created) as updated,
       array(select position from resolved where source_id is null order by position) as missing_sources,
       array(select position from resolved where target_id is null order by position) as missing_targets;
