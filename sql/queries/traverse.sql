-- returns: rows
-- params: start_ids, max_depth, outgoing, incoming, edge_types, node_types, limit
-- Breadth-first traversal that visits each node once.
--
-- Each step of the recursion is one whole level: a single row holding the
-- level's frontier and every node visited so far. The next frontier is the
-- set of nodes one edge away minus the visited set (a hashed EXCEPT), so the
-- cost grows with the nodes and edges reached, never with the number of
-- paths; cycles and parallel edges cost nothing extra. The search stops at
-- max_depth, when a level adds nothing, or once more than limit nodes are
-- known (the last level is still whole, so the first limit nodes in
-- depth/type/key order are exact). One row more than limit says "truncated".
-- node_types filters the nodes entered, never the start nodes.
with recursive bfs (depth, frontier, visited) as (
    select 0, starts.ids, starts.ids
    from (select array_agg(distinct s.id) as ids from unnest(:start_ids::bigint[]) as s (id)) as starts
    union all
    select b.depth + 1, next_level.ids, b.visited || next_level.ids
    from bfs as b
    cross join lateral (
        select array_agg(reached.id) as ids
        from (
            (
                select e.target_id as id
                from unnest(b.frontier) as f (id)
                join edges as e on e.source_id = f.id
                where :outgoing
                  and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
                union
                select e.source_id
                from unnest(b.frontier) as f (id)
                join edges as e on e.target_id = f.id
                where :incoming
                  and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
            )
            except
            select unnest(b.visited)
        ) as reached
        where :node_types::text[] is null
           or exists (select from nodes as n where n.id = reached.id and n.type = any(:node_types::text[]))
    ) as next_level
    where b.depth < :max_depth
      and cardinality(b.visited) <= :limit
      and next_level.ids is not null
)
select n.id, b.depth, n.type, n.key, n.properties, n.created_at, n.updated_at
from bfs as b
cross join lateral unnest(b.frontier) as f (id)
join nodes as n on n.id = f.id
order by b.depth, n.type, n.key
limit :limit + 1;
