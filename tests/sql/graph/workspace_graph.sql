-- returns: value
-- params: workspace_id
-- Tests only: a workspace's whole graph, timestamps included, as one text,
-- to show that a failed batch or import left it exactly as it was.
select coalesce(string_agg(line, E'\n' order by line), '')
from (
    select format('node %s %s %s %s %s', type, key, properties, created_at, updated_at) as line
    from nodes
    where workspace_id = :workspace_id
    union all
    select format('edge %s %s %s %s %s %s', source_id, type, target_id, properties, created_at, updated_at)
    from edges
    where workspace_id = :workspace_id
) as graph;
