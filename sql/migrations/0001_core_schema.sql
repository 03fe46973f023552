-- Core graph schema: workspaces, typed nodes and typed directed edges.
--
-- Sized for tens of millions of edges: edges reference nodes by a bigint id,
-- not by (type, key) text, so the traversal indexes stay narrow; the natural
-- keys are unique per workspace. Type and key compare in code-point order
-- (collate "C"), which is also the order every list is returned in.

create table workspaces (
    id         bigint generated always as identity primary key,
    name       text not null unique,
    created_at timestamptz not null default now()
);

create table nodes (
    id           bigint generated always as identity primary key,
    workspace_id bigint not null references workspaces (id) on delete cascade,
    type         text collate "C" not null,
    key          text collate "C" not null,
    properties   jsonb not null default '{}',
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint nodes_natural_key unique (workspace_id, type, key)
);

-- An edge's workspace is its ends' workspace; it is stored again so that
-- listing a workspace's edges by type needs no join.
create table edges (
    workspace_id bigint not null references workspaces (id) on delete cascade,
    source_id    bigint not null references nodes (id) on delete cascade,
    type         text collate "C" not null,
    target_id    bigint not null references nodes (id) on delete cascade,
    properties   jsonb not null default '{}',
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    -- The primary key is also the index that follows edges outwards.
    constraint edges_pkey primary key (source_id, type, target_id)
);

-- Follows edges inwards, and lets a node's deletion find its incoming edges.
create index edges_target_idx on edges (target_id, type, source_id);
