-- returns: status
-- params: seconds, public_id
-- Tests only: move a key's bucket back in time instead of sleeping, so that
-- the refill of the next request can be checked at once.
update rate_limit_buckets
set refilled_at = refilled_at - make_interval(secs => :seconds)
where key_id = (select id from api_keys where public_id = :public_id);
