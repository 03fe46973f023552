-- How answers render times when PostgreSQL builds their JSON itself (large
-- traversals): RFC 3339 in UTC with microseconds and a Z, exactly as the
-- service's own models print them.
create function skein_timestamp(value timestamptz) returns text
language sql stable parallel safe
return to_char(value at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
