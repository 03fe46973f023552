-- returns: rows
-- params: workspace_id, after_id, limit
-- One page of a workspace's keys in creation order, revoked ones included;
-- keyset paging on the key's internal id.
select k.id, k.public_id, k.name, k.scopes, k.rate_limit_per_minute,
       k.created_at, k.expires_at, k.revoked_at, b.last_used_at
from api_keys as k
left join rate_limit_buckets as b on b.key_id = k.id
where k.workspace_id = :workspace_id
  and k.id > :after_id
order by k.id
limit :limit;
