-- returns: rows
-- params: workspace_id, match, after_type, after_key, limit
-- One page of a workspace's nodes in (type, key) code-point order, after the
-- position (after_type, after_key); ('', '') is before every node, since
-- types and keys are never empty. match, when not null, is a JSON object
-- the properties must contain.
select type, key, properties, created_at, updated_at
from nodes
where workspace_id = :workspace_id
  and (type, key) > (:after_type, :after_key)
  and (:match::jsonb is null or properties @> :match::jsonb)
order by type, key
limit :limit;
