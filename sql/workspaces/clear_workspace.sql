-- returns: status
-- params: workspace_id
-- Empty a workspace but keep it: its nodes go, and their edges with them
-- (on delete cascade). The tests' fallback isolation when a fresh workspace
-- per test will not do.
delete from nodes
where workspace_id = :workspace_id;
