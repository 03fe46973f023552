-- returns: rows
-- params: workspace_id, source_type, source_key, type, target_type, target_key, after_source_type, after_source_key, after_type, after_target_type, after_target_key, limit
-- One page of the edges out of one node, optionally of one type and to one
-- target (both null for any), in the order and after the position of
-- list_edges.
select s.type as source_type, s.key as source_key, e.type, t.type as target_type, t.key as target_key,
       e.properties, e.created_at, e.updated_at
from nodes as s
join edges as e on e.source_id = s.id
join nodes as t on t.id = e.target_id
where s.workspace_id = :workspace_id
  and s.type = :source_type
  and s.key = :source_key
  and (:type::text is null or e.type = :type::text)
  and (:target_type::text is null or (t.type = :target_type::text and t.key = :target_key::text))
  and (s.type, s.key, e.type, t.type, t.key)
      > (:after_source_type, :after_source_key, :after_type, :after_target_type, :after_target_key)
order by s.type, s.key, e.type, t.type, t.key
limit :limit;
