-- returns: value
-- params: workspace_id
-- Tests only: how many nodes and edges a workspace holds, to show an import
-- left all or none of itself.
select (select count(*) from nodes where workspace_id = :workspace_id)
     + (select count(*) from edges where workspace_id = :workspace_id);
