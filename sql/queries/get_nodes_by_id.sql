-- returns: rows
-- params: ids
-- Nodes by internal id, in the order given.
select n.id, n.type, n.key, n.properties, n.created_at, n.updated_at
from unnest(:ids::bigint[]) with ordinality as i (id, ord)
join nodes as n on n.id = i.id
order by i.ord;
