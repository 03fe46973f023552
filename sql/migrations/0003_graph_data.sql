-- Graph data: an index for property matches, and the shapes of the import's working tables.
--
-- GET /v1/nodes?match= is a containment test (properties @> match):
-- jsonb_path_ops indexes exactly that operator, in a smaller index than the
-- default jsonb_ops, and a bitmap AND with the workspace's rows of
-- nodes_natural_key keeps a selective match cheap in a large workspace.
create index nodes_properties_idx on nodes using gin (properties jsonb_path_ops);

-- The shapes of an import's two working tables, one row per NDJSON line: a
-- node line fills node_type and node_key, an edge line the source, edge and
-- target columns. import_staging holds the batch of lines being merged;
-- import_pending the edge lines whose ends were not known when their batch
-- was merged (they may name nodes of later lines). Each import creates
-- temporary tables of these shapes under the same names (create temp table
-- import_staging (like import_staging)), which shadow these in its session
-- because the temporary schema is searched first. These two are never
-- written (every row fails the check, which the temporary copies do not
-- inherit); they exist so that the import's queries prepare against the
-- schema like every other query.
create table import_staging (
    line        bigint not null,
    node_type   text collate "C",
    node_key    text collate "C",
    source_type text collate "C",
    source_key  text collate "C",
    edge_type   text collate "C",
    target_type text collate "C",
    target_key  text collate "C",
    properties  text,
    constraint import_staging_is_only_a_shape check (false)
);

create table import_pending (
    like import_staging,
    constraint import_pending_is_only_a_shape check (false)
);
