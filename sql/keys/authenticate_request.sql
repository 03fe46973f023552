-- returns: row
-- params: public_id, secret_hash, default_rate_limit
-- Authentication and the rate-limit decision in one round trip.
--
-- Finds the key, checks that it is live and that the secret matches, then
-- refills and spends its token bucket in one atomic upsert: the row lock
-- serialises concurrent requests on one key across every worker and instance.
-- No row means 401. A refused request (allowed = false) leaves its tokens
-- unspent. Tokens refill continuously at capacity per minute, up to capacity.
with live_key as (
    select k.id, k.workspace_id, k.public_id, k.scopes, k.secret_hash,
           coalesce(k.rate_limit_per_minute, :default_rate_limit)::double precision as capacity
    from api_keys as k
    where k.public_id = :public_id
      and k.secret_hash = :secret_hash
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now())
),
bucket as (
    insert into rate_limit_buckets as b (key_id, capacity, tokens, refilled_at, allowed, last_used_at)
    select id, capacity, capacity - 1, now(), true, now()
    from live_key
    on conflict (key_id) do update
    set capacity = excluded.capacity,
        tokens = skein_bucket_level(b.tokens, excluded.capacity, b.refilled_at, now())
                 - case when skein_bucket_level(b.tokens, excluded.capacity, b.refilled_at, now()) >= 1 then 1 else 0 end,
        allowed = skein_bucket_level(b.tokens, excluded.capacity, b.refilled_at, now()) >= 1,
        last_used_at = case
            when skein_bucket_level(b.tokens, excluded.capacity, b.refilled_at, now()) >= 1 then now()
            else b.last_used_at
        end,
        refilled_at = greatest(b.refilled_at, now())
    returning b.key_id, b.capacity, b.tokens, b.allowed
)
select k.id as key_id, k.workspace_id, k.public_id, k.scopes, k.secret_hash,
       b.capacity, b.tokens, b.allowed
from live_key as k
join bucket as b on b.key_id = k.id;
