-- Indexes for the graph data routes.
--
-- GET /v1/nodes?match= is a containment test (properties @> match):
-- jsonb_path_ops indexes exactly that operator, in a smaller index than the
-- default jsonb_ops, and a bitmap AND with the workspace's rows of
-- nodes_natural_key keeps a selective match cheap in a large workspace.
create index nodes_properties_idx on nodes using gin (properties jsonb_path_ops);
