-- returns: rows
-- params: workspace_id, type, after_source_type, after_source_key, after_type, after_target_type, after_target_key, limit
-- One page of a workspace's edges, optionally of one type, in list order:
-- source type, source key, edge type, target type, target key, each in
-- code-point order; after the position given by the after_ parameters
-- (all '' for the first page: types and keys are never empty).
--
-- Walks the source nodes in (type, key) order through nodes_natural_key and
-- takes at most a page of each one's edges (through edges_pkey), so the
-- sort on top only orders one source's edges at a time and a page costs
-- about its own size, not the workspace's. The limit inside the lateral
-- subquery is what keeps the planner to that walk: without it, a hash join
-- of every edge and a sort won on cost and took half a second a page at a
-- million edges. The position test is inside too, so that a source's page
-- starts after the position, not at its first edge.
select s.type as source_type, s.key as source_key, e.type, e.target_type, e.target_key,
       e.properties, e.created_at, e.updated_at
from nodes as s
cross join lateral (
    select e.type, t.type as target_type, t.key as target_key, e.properties, e.created_at, e.updated_at
    from edges as e
    join nodes as t on t.id = e.target_id
    where e.source_id = s.id
      and (:type::text is null or e.type = :type::text)
      and (s.type, s.key, e.type, t.type, t.key)
          > (:after_source_type, :after_source_key, :after_type, :after_target_type, :after_target_key)
    order by e.type, t.type, t.key
    limit :limit
) as e
where s.workspace_id = :workspace_id
  and (s.type, s.key) >= (:after_source_type, :after_source_key)
order by s.type, s.key, e.type, e.target_type, e.target_key
limit :limit;
