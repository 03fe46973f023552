-- returns: rows
-- params: source_ids, types, target_ids
-- Edges by (source id, type, target id), given as parallel arrays, in the
-- order given, with both ends' refs.
select s.type as source_type, s.key as source_key, e.type, t.type as target_type, t.key as target_key,
       e.properties, e.created_at, e.updated_at
from unnest(:source_ids::bigint[], :types::text[], :target_ids::bigint[]) with ordinality as k (source_id, type, target_id, ord)
join edges as e on e.source_id = k.source_id and e.type = k.type and e.target_id = k.target_id
join nodes as s on s.id = e.source_id
join nodes as t on t.id = e.target_id
order by k.ord;
