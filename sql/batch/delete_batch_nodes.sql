-- returns: value
-- params: workspace_id, types, keys
-- A batch's node deletions, one statement for all; the number of nodes
-- deleted. Their edges, both ways, go too (on delete cascade) without being
-- counted. Items naming no node count nothing.
with deleted as (
    delete from nodes as n
    using unnest(:types::text[], :keys::text[]) as item (type, key)
    where n.workspace_id = :workspace_id
      and n.type = item.type
      and n.key = item.key
    returning 1
)
select count(*)
from deleted;
