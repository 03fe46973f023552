-- returns: rows
-- Tests only: each table's rows as JSON text, one row a table, to show that
-- no key or secret is stored anywhere. api_keys.secret_hash, the one place
-- a secret's trace belongs, is left out. list_tables names every table, so
-- a test can tell when a new one is missing here.
select 'api_keys' as name, string_agg((to_jsonb(r) - 'secret_hash')::text, e'\n') as rows from api_keys as r
union all select 'workspaces', string_agg(to_jsonb(r)::text, e'\n') from workspaces as r
union all select 'nodes', string_agg(to_jsonb(r)::text, e'\n') from nodes as r
union all select 'edges', string_agg(to_jsonb(r)::text, e'\n') from edges as r
union all select 'rate_limit_buckets', string_agg(to_jsonb(r)::text, e'\n') from rate_limit_buckets as r
union all select 'skein_secrets', string_agg(to_jsonb(r)::text, e'\n') from skein_secrets as r
union all select 'skein_migrations', string_agg(to_jsonb(r)::text, e'\n') from skein_migrations as r
union all select 'import_staging', string_agg(to_jsonb(r)::text, e'\n') from import_staging as r
union all select 'import_pending', string_agg(to_jsonb(r)::text, e'\n') from import_pending as r;
