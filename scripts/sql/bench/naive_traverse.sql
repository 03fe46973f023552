-- returns: rows
-- params: start_id, max_depth, limit
-- The traversal most projects write, kept as the benchmark's baseline: a
-- recursive CTE that carries each path as an array to avoid cycles. It
-- enumerates paths, not nodes, so its work grows with the number of paths.
with recursive walk (id, depth, path) as (
    select :start_id::bigint, 0, array[:start_id::bigint]
    union all
    select e.target_id, w.depth + 1, w.path || e.target_id
    from walk as w
    join edges as e on e.source_id = w.id
    where w.depth < :max_depth
      and e.target_id <> all(w.path)
)
select n.id, min(w.depth) as depth, n.type, n.key, n.properties
from walk as w
join nodes as n on n.id = w.id
group by n.id
order by depth, n.type, n.key
limit :limit;
