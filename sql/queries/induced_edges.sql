-- returns: value
-- params: node_ids, edge_types
-- Every edge of the allowed types whose two ends are both among node_ids,
-- ordered by source (type, key), edge type, target (type, key), rendered as
-- the JSON array the API returns. The ids are joined as sets (hash joins),
-- not searched as arrays.
with chosen as (
    select unnest(:node_ids::bigint[]) as id
)
select coalesce(
    json_agg(
        json_build_object(
            'source', s.type || ':' || s.key,
            'type', e.type,
            'target', t.type || ':' || t.key,
            'properties', e.properties,
            'created_at', skein_timestamp(e.created_at),
            'updated_at', skein_timestamp(e.updated_at)
        )
        order by s.type, s.key, e.type, t.type, t.key
    ),
    '[]'
)::text
from chosen as a
join edges as e on e.source_id = a.id
join chosen as b on b.id = e.target_id
join nodes as s on s.id = e.source_id
join nodes as t on t.id = e.target_id
where :edge_types::text[] is null or e.type = any(:edge_types::text[]);
