-- returns: rows
-- params: workspace_id, target_type, target_key, type, after_source_type, after_source_key, after_type, after_target_type, after_target_key, limit
-- One page of the edges into one node, optionally of one type, in the order
-- and after the position of list_edges; found through edges_target_idx.
select s.type as source_type, s.key as source_key, e.type, t.type as target_type, t.key as target_key,
       e.properties, e.created_at, e.updated_at
from nodes as t
join edges as e on e.target_id = t.id
join nodes as s on s.id = e.source_id
where t.workspace_id = :workspace_id
  and t.type = :target_type
  and t.key = :target_key
  and (:type::text is null or e.type = :type::text)
  and (s.type, s.key, e.type, t.type, t.key)
      > (:after_source_type, :after_source_key, :after_type, :after_target_type, :after_target_key)
order by s.type, s.key, e.type, t.type, t.key
limit :limit;
