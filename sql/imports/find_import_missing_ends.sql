-- returns: rows
-- params: workspace_id, limit
-- Once every batch is merged: the first pending edge lines, by line, whose
-- source or target is neither in the workspace nor anywhere in the import.
select pending.line, s.id is null as source_missing, t.id is null as target_missing
from import_pending as pending
left join nodes as s
    on s.workspace_id = :workspace_id and s.type = pending.source_type and s.key = pending.source_key
left join nodes as t
    on t.workspace_id = :workspace_id and t.type = pending.target_type and t.key = pending.target_key
where s.id is null or t.id is null
order by pending.line
limit :limit;
