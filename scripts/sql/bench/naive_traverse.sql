-- returns: rows
-- params: workspace_id, start_type, start_key, max_depth, limit
-- The traversal most projects write, kept as the benchmark's baseline: a
-- recursive CTE that carries each path as an array to avoid cycles. It
-- enumerates paths, not nodes, so its work grows with the number of paths.
--
-- It answers the request Skein's traverse answers, from the same inputs: a
-- start ref in a workspace, nodes in depth/type/key order, and limit + 1
-- rows at most (one more than asked says that more were reachable).
with recursive walk (id, depth, path) as (
    select n.id, 0, array[n.id]
    from nodes as n
    where n.workspace_id = :workspace_id
      and n.type = :start_type
      and n.key = :start_key
    union all
    select e.target_id, w.depth + 1, w.path || e.target_id
    from walk as w
    join edges as e on e.source_id = w.id
    where w.depth < :max_depth
      and e.target_id <> all(w.path)
)
select n.type, n.key, n.properties, n.created_at, n.updated_at, min(w.depth) as depth
from walk as w
join nodes as n on n.id = w.id
group by n.id
order by depth, n.type, n.key
limit :limit + 1;
