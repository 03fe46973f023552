-- returns: status
-- Tests only, inside a transaction: hold the edges table so that any query
-- reading it waits, deterministically, until the test lets go.
lock table edges in access exclusive mode;
