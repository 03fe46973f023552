-- returns: rows
-- params: workspace_id, limit
-- After the import's nodes are merged: the first edge lines, by line, whose
-- source or target is neither in the workspace nor in the import.
select staged.line, s.id is null as source_missing, t.id is null as target_missing
from import_staging as staged
left join nodes as s
    on s.workspace_id = :workspace_id and s.type = staged.source_type and s.key = staged.source_key
left join nodes as t
    on t.workspace_id = :workspace_id and t.type = staged.target_type and t.key = staged.target_key
where staged.edge_type is not null
  and (s.id is null or t.id is null)
order by staged.line
limit :limit;
