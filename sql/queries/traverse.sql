-- returns: row
-- params: workspace_id, start_types, start_keys, max_depth, outgoing, incoming, edge_types, node_types, limit
-- Breadth-first traversal that visits each node once.
--
-- Each step of the recursion is one whole level: a single row holding the
-- level's frontier and every node visited so far. The next frontier is the
-- set of nodes one edge away minus the visited set (a hashed EXCEPT), so the
-- cost grows with the nodes and edges reached, never with the number of
-- paths; cycles and parallel edges cost nothing extra. The search stops at
-- max_depth, when a level adds nothing, or once more than limit nodes are
-- known (the last level is still whole, so the first limit nodes in
-- depth/type/key order are exact). node_types filters the nodes entered,
-- never the start nodes.
--
-- The start refs (parallel arrays of type and key) are resolved here too, to
-- save a round trip: missing lists the 1-based positions of those that do not
-- exist in the workspace, and then nothing is traversed.
--
-- The answer is one row: the first limit nodes rendered as the JSON array the
-- API returns (so that thousands of nodes never pass through Python objects),
-- their ids (for include_edges), and whether more were reachable.
with recursive requested as (
    select r.ord, n.id
    from unnest(:start_types::text[], :start_keys::text[]) with ordinality as r (type, key, ord)
    left join nodes as n
        on n.workspace_id = :workspace_id
       and n.type = r.type
       and n.key = r.key
),
bfs (depth, frontier, visited) as (
    select 0, starts.ids, starts.ids
    from (select array_agg(distinct id) as ids from requested) as starts
    where not exists (select from requested where id is null)
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
),
found as (
    select n.id, b.depth, n.type, n.key, n.properties, n.created_at, n.updated_at,
           row_number() over (order by b.depth, n.type, n.key) as position
    from bfs as b
    cross join lateral unnest(b.frontier) as f (id)
    join nodes as n on n.id = f.id
    order by b.depth, n.type, n.key
    limit :limit + 1
)
select array(select ord from requested where id is null order by ord) as missing,
       count(*) > :limit as truncated,
       coalesce(array_agg(id order by position) filter (where position <= :limit), '{}') as ids,
       coalesce(
           json_agg(
               json_build_object(
                   'type', type,
                   'key', key,
                   'ref', type || ':' || key,
                   'properties', properties,
                   'created_at', skein_timestamp(created_at),
                   'updated_at', skein_timestamp(updated_at),
                   'depth', depth
               )
               order by position
           ) filter (where position <= :limit),
           '[]'
       )::text as nodes_json
from found;
