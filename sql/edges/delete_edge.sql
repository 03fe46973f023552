-- returns: value
-- params: workspace_id, source_type, source_key, type, target_type, target_key
-- Delete one edge named by its ends' natural keys and its type; the number
-- deleted, 0 or 1.
with deleted as (
    delete from edges as e
    using nodes as s, nodes as t
    where s.workspace_id = :workspace_id
      and s.type = :source_type
      and s.key = :source_key
      and t.workspace_id = :workspace_id
      and t.type = :target_type
      and t.key = :target_key
      and e.source_id = s.id
      and e.type = :type
      and e.target_id = t.id
    returning 1
)
select count(*)
from deleted;
