-- returns: rows
-- params: frontier, outgoing, incoming, edge_types, node_types, always_allowed
-- One level of a shortest-path search: every node one edge away from the
-- frontier, once, with the frontier node it was reached from and the edge
-- that joins them (in its stored orientation). The caller drops nodes it has
-- already seen. node_types filters the nodes entered, except always_allowed
-- (the path's own source and target).
select distinct on (r.node_id)
       r.node_id, r.parent_id, r.edge_source_id, r.edge_type, r.edge_target_id
from (
    select e.target_id as node_id, e.source_id as parent_id,
           e.source_id as edge_source_id, e.type as edge_type, e.target_id as edge_target_id
    from unnest(:frontier::bigint[]) as f (id)
    join edges as e on e.source_id = f.id
    where :outgoing
      and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
    union all
    select e.source_id, e.target_id, e.source_id, e.type, e.target_id
    from unnest(:frontier::bigint[]) as f (id)
    join edges as e on e.target_id = f.id
    where :incoming
      and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
) as r
where :node_types::text[] is null
   or r.node_id = any(:always_allowed::bigint[])
   -- A scalar subquery: never a hashed subplan over every node of those
   -- types, as exists(...) under OR may be (see traverse.sql).
   or (select n.type from nodes as n where n.id = r.node_id) = any(:node_types::text[])
order by r.node_id, r.edge_type;
