-- API keys, their rate-limit buckets, and the server-side secret that signs cursors.

create table api_keys (
    id                    bigint generated always as identity primary key,
    workspace_id          bigint not null references workspaces (id) on delete cascade,
    -- The part of the key after "skn_" and before the secret: safe to show.
    public_id             text collate "C" not null unique,
    -- SHA-256 of the secret. The secret has 256 bits of randomness, so a slow
    -- password hash would buy nothing.
    secret_hash           bytea not null,
    name                  text not null,
    scopes                text[] not null,
    -- Null follows the server's SKEIN_RATE_LIMIT.
    rate_limit_per_minute integer check (rate_limit_per_minute > 0),
    created_at            timestamptz not null default now(),
    expires_at            timestamptz,
    revoked_at            timestamptz
);

create index api_keys_workspace_idx on api_keys (workspace_id, id);

-- One token bucket per key, written on every authenticated request.
-- Unlogged: no WAL and an asynchronous commit for each write; after a crash
-- the buckets start full again, which is the fair reading of a lost state.
create unlogged table rate_limit_buckets (
    key_id       bigint primary key,
    capacity     double precision not null,
    tokens       double precision not null,
    refilled_at  timestamptz not null,
    -- The decision on the latest request: what the upsert hands back.
    allowed      boolean not null,
    last_used_at timestamptz
) with (fillfactor = 50);

-- A bucket's level at time at_time: its tokens plus the refill since
-- refilled_at (capacity per minute), never above capacity. A concurrent
-- request may have refilled it a moment "later" than at_time; that counts as
-- no time elapsed, never as negative time.
create function skein_bucket_level(
    tokens double precision,
    capacity double precision,
    refilled_at timestamptz,
    at_time timestamptz
) returns double precision
language sql immutable parallel safe
return least(capacity, tokens + greatest(extract(epoch from at_time - refilled_at), 0) * capacity / 60);

create table skein_secrets (
    name  text primary key,
    value bytea not null
);

-- 256 bits from PostgreSQL's strong random source (gen_random_uuid, core since 13).
insert into skein_secrets (name, value)
values (
    'cursor_signing_key',
    decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')
);
