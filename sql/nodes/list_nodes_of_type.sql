-- returns: rows
-- params: workspace_id, type, match, after_type, after_key, limit
-- One page of a workspace's nodes of one type in key code-point order, after
-- the position (after_type, after_key) as in list_nodes: a cursor of the
-- unfiltered list still means "after this node". match as in list_nodes.
select type, key, properties, created_at, updated_at
from nodes
where workspace_id = :workspace_id
  and type = :type
  and (type, key) > (:after_type, :after_key)
  and (:match::jsonb is null or properties @> :match::jsonb)
order by key
limit :limit;
