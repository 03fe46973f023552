-- returns: row
-- params: name
-- A new, empty workspace; fails with unique_violation when the name is taken.
insert into workspaces (name)
values (:name)
returning id, name, created_at;
