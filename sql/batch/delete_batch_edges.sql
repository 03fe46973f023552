-- returns: value
-- params: workspace_id, source_types, source_keys, types, target_types, target_keys
-- A batch's edge deletions, one statement for all; the number of edges
-- deleted. Items naming no edge count nothing, and an edge named twice is
-- deleted and counted once.
with deleted as (
    delete from edges as e
    using unnest(
        :source_types::text[], :source_keys::text[], :types::text[], :target_types::text[], :target_keys::text[]
    ) as item (source_type, source_key, type, target_type, target_key),
    nodes as s,
    nodes as t
    where s.workspace_id = :workspace_id
      and s.type = item.source_type
      and s.key = item.source_key
      and t.workspace_id = :workspace_id
      and t.type = item.target_type
      and t.key = item.target_key
      and e.source_id = s.id
      and e.type = item.type
      and e.target_id = t.id
    returning 1
)
select count(*)
from deleted;
