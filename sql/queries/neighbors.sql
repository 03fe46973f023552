-- returns: rows
-- params: origin_id, outgoing, incoming, edge_types, node_types, after, limit
-- One page of a node's neighbours: one row per joining edge, ordered by the
-- neighbour's type and key, then edge type, then outgoing (0) before
-- incoming (1). A self-loop joins once: as outgoing when both ways are asked.
-- after is the last row of the previous page as (type, key, edge type,
-- rank), or null for the first page.
with joining as (
    select e.target_id as neighbor_id, 0 as rank, e.source_id, e.type, e.target_id,
           e.properties, e.created_at, e.updated_at
    from edges as e
    where :outgoing
      and e.source_id = :origin_id
      and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
    union all
    select e.source_id, 1, e.source_id, e.type, e.target_id,
           e.properties, e.created_at, e.updated_at
    from edges as e
    where :incoming
      and e.target_id = :origin_id
      and not (:outgoing and e.source_id = e.target_id)
      and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
)
select n.type as node_type, n.key as node_key, n.properties as node_properties,
       n.created_at as node_created_at, n.updated_at as node_updated_at,
       j.rank, j.source_id, j.type as edge_type, j.target_id,
       j.properties as edge_properties, j.created_at as edge_created_at, j.updated_at as edge_updated_at
from joining as j
join nodes as n on n.id = j.neighbor_id
where (:node_types::text[] is null or n.type = any(:node_types::text[]))
  and (
      :after::text[] is null
      or (n.type, n.key, j.type, j.rank)
         > ((:after::text[])[1], (:after::text[])[2], (:after::text[])[3], (:after::text[])[4]::integer)
  )
order by n.type, n.key, j.type, j.rank
limit :limit;
