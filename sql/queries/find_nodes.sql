-- returns: rows
-- params: workspace_id, types, keys
-- Resolve refs, given as parallel arrays of type and key, to nodes of the
-- workspace. ord is the 1-based position of the ref; a ref with no row does
-- not exist here.
select r.ord, n.id, n.type, n.key, n.properties, n.created_at, n.updated_at
from unnest(:types::text[], :keys::text[]) with ordinality as r (type, key, ord)
join nodes as n
    on n.workspace_id = :workspace_id
   and n.type = r.type
   and n.key = r.key;
