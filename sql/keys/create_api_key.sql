-- returns: row
-- params: workspace_id, public_id, secret_hash, name, scopes, rate_limit_per_minute, expires_at
-- A new key; the secret itself is never stored, only its hash.
insert into api_keys (workspace_id, public_id, secret_hash, name, scopes, rate_limit_per_minute, expires_at)
values (:workspace_id, :public_id, :secret_hash, :name, :scopes, :rate_limit_per_minute, :expires_at)
returning id, public_id, name, scopes, rate_limit_per_minute, created_at, expires_at, revoked_at,
          null::timestamptz as last_used_at;
