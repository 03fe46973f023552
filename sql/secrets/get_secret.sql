-- returns: value
-- params: name
-- A server-side secret made by a migration, e.g. the cursor signing key.
select value
from skein_secrets
where name = :name;
