-- returns: row
-- params: workspace_id, start_types, start_keys, max_depth, outgoing, incoming, edge_types, node_types, limit, with_ids
-- Breadth-first traversal that visits each node once.
--
-- Each step of the recursion is one whole level: a single row holding the
-- level's frontier and every node visited so far. The next frontier is the
-- set of nodes one edge away minus the visited set (one hashed EXCEPT, which
-- also removes duplicates), so the cost grows with the nodes and edges
-- reached, never with the number of paths; cycles and parallel edges cost
-- nothing extra. The search stops at max_depth, when a level adds nothing,
-- or once more than limit nodes are known (the last level is still whole,
-- so the first limit nodes in depth/type/key order are exact). node_types
-- filters the nodes entered, never the start nodes.
--
-- The start refs (parallel arrays of type and key) are resolved here too, to
-- save a round trip: missing lists the 1-based positions of those that do not
-- exist in the workspace, and then nothing is traversed.
--
-- The answer is one row: the first limit nodes as the JSON array the API
-- returns, joined from each node's stored json_members (so that thousands of
-- nodes are neither rendered here nor pass through Python objects), their
-- ids when with_ids asks for them (for include_edges, in no order; empty
-- otherwise), and whether more were reachable.
with recursive starts as (
    select coalesce(array_agg(r.ord order by r.ord) filter (where n.id is null), '{}') as missing,
           array_agg(distinct n.id) as ids
    from unnest(:start_types::text[], :start_keys::text[]) with ordinality as r (type, key, ord)
    left join nodes as n
        on n.workspace_id = :workspace_id
       and n.type = r.type
       and n.key = r.key
),
bfs (depth, frontier, visited) as (
    select 0, ids, ids
    from starts
    where missing = '{}'
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
                union all
                select e.source_id
                from unnest(b.frontier) as f (id)
                join edges as e on e.target_id = f.id
                where :incoming
                  and (:edge_types::text[] is null or e.type = any(:edge_types::text[]))
            )
            except
            select unnest(b.visited)
        ) as reached
        -- A scalar subquery, not exists(...): PostgreSQL may run an exists
        -- under OR as a hashed subplan, and in the pool's generic plan it did,
        -- reading every node of those types in every workspace (30 ms on the
        -- benchmark graph, whatever the depth). This is one probe of
        -- nodes_pkey per node reached.
        where :node_types::text[] is null
           or (select n.type from nodes as n where n.id = reached.id) = any(:node_types::text[])
    ) as next_level
    where b.depth < :max_depth
      and cardinality(b.visited) <= :limit
      and next_level.ids is not null
),
found as (
    -- Ids are looked up in id order: neighbouring probes share index and heap
    -- pages. The order is one text key, byte for byte the order of (depth,
    -- type, key): chr(depth + 1) sorts levels numerically, and \x01 sorts
    -- before every character a type may hold, so a shorter type comes first.
    -- PostgreSQL sorts one text key (abbreviated to its first bytes) about
    -- twice as fast as three keys whose first one is mostly tied.
    select n.id, reached.depth, n.json_members, chr(reached.depth + 1) || n.type || E'\x01' || n.key as ord
    from (
        select b.depth, f.id
        from bfs as b
        cross join lateral unnest(b.frontier) as f (id)
        order by f.id
    ) as reached
    join nodes as n on n.id = reached.id
    order by ord
    limit :limit
)
select (select missing from starts) as missing,
       -- The last level's visited set is every node reached.
       coalesce((select max(cardinality(visited)) from bfs), 0) > :limit as truncated,
       coalesce(array_agg(id) filter (where :with_ids), '{}') as ids,
       '[' || coalesce(string_agg('{' || json_members || ',"depth":' || depth || '}', ',' order by ord), '') || ']'
           as nodes_json
from found;
