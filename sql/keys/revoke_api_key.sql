-- returns: value
-- params: workspace_id, public_id
-- Revoke a key of this workspace; revoking it again keeps the first time.
-- No row (null) when the workspace has no such key.
update api_keys
set revoked_at = coalesce(revoked_at, now())
where workspace_id = :workspace_id
  and public_id = :public_id
returning id;
