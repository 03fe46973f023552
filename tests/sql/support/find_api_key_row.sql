-- returns: row
-- params: public_id
-- Tests only: a key's stored row as text, to prove the secret is not in it.
select k::text as row_text, k.secret_hash
from api_keys as k
where k.public_id = :public_id;
