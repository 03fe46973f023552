-- Each node keeps its JSON as the API renders it, computed once per write.
--
-- A traversal answers with up to 10,000 nodes. Rendering each of them at
-- query time (json_build_object, and to_char for both times) took about 30
-- of the 90 ms of a depth-6 traversal on the benchmark graph; joining the
-- stored text takes about 5. The column holds the object's members without
-- the braces, so a query adds its own (traverse adds "depth") by
-- concatenation, without parsing JSON:
--
--     "type":"service","key":"checkout","ref":"service:checkout",
--     "properties":{"tier": 1},"created_at":"...Z","updated_at":"...Z"
--
-- PostgreSQL recomputes a generated column on every insert and update, so
-- no write can leave it stale; the cost is the text stored beside the row.
-- Only a change of the functions below could: a migration that replaces
-- skein_timestamp or skein_node_json_members must also drop and re-add the
-- column, so that every stored row is rendered again.
--
-- Adding the column rewrites the table under an exclusive lock, with room
-- for a second copy: about half a second for 100,000 nodes here.

-- A generated column may only call immutable functions. skein_timestamp is:
-- its zone is fixed (UTC) and its format has numeric fields only, none of
-- the locale-dependent TM ones that make to_char merely stable.
alter function skein_timestamp(timestamptz) immutable;

-- to_json(text) escapes a string as JSON, the same for every input; like
-- jsonb's text output it depends on nothing but its argument.
create function skein_node_json_members(
    type text, key text, properties jsonb, created_at timestamptz, updated_at timestamptz
) returns text
language sql immutable parallel safe
return '"type":' || to_json(type)
    || ',"key":' || to_json(key)
    || ',"ref":' || to_json(type || ':' || key)
    || ',"properties":' || properties::text
    || ',"created_at":"' || skein_timestamp(created_at)
    || '","updated_at":"' || skein_timestamp(updated_at) || '"';

alter table nodes
    add column json_members text not null
    generated always as (skein_node_json_members(type, key, properties, created_at, updated_at)) stored;
