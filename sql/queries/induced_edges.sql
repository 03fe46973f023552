-- returns: rows
-- params: node_ids, edge_types
-- Every edge of the allowed types whose two ends are both among node_ids,
-- ordered by source (type, key), edge type, target (type, key). The ids are
-- joined as sets (hash joins), not searched as arrays.
with chosen as (
    select unnest(:node_ids::bigint[]) as id
)
select s.type as source_type, s.key as source_key, e.type, t.type as target_type, t.key as target_key,
       e.properties, e.created_at, e.updated_at
from chosen as a
join edges as e on e.source_id = a.id
join chosen as b on b.id = e.target_id
join nodes as s on s.id = e.source_id
join nodes as t on t.id = e.target_id
where :edge_types::text[] is null or e.type = any(:edge_types::text[])
order by s.type, s.key, e.type, t.type, t.key;
