-- An append written on a head the writer already knows, in one round trip. The procedure
-- moves the head only if it is still at `expected`, inserts the events and idempotency keys,
-- notifies followers and COMMITs — and only then answers. Its answer is therefore proof of
-- the commit, which the answer of a single autocommit statement is not: that one is sent
-- before the implicit commit, and a backend terminated in between loses a write its caller
-- already saw acknowledged. When the head has moved, nothing is written or committed, and
-- `written` is false.
--
-- Transaction control rules out SECURITY DEFINER and a SET clause, so the procedure runs
-- with the caller's own privileges (pledger_app: INSERT on events and idempotency_keys,
-- UPDATE on ledger_head) and names its tables without a schema, like every statement of
-- the application. Only pledger_app may execute it.
CREATE PROCEDURE pledger_commit_on_head(
    expected bigint, head_position bigint, head_hash bytea, head_recorded bigint,
    positions bigint[], streams text[], versions integer[], ids uuid[], types text[], schemas integer[],
    event_data text[], event_meta text[], recorded bigint[], prev_hashes bytea[], hashes bytea[],
    key_names text[], key_hashes bytea[], key_results text[], key_firsts bigint[], key_replies text[],
    OUT written boolean)
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_head SET position = head_position, hash = head_hash,
        recorded_at = timestamptz 'epoch' + head_recorded * interval '1 microsecond'
    WHERE position = expected;
    IF NOT FOUND THEN
        written := false;
        RETURN;
    END IF;
    INSERT INTO events (position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash)
    SELECT p, s, v, i, t, sc, d, m, timestamptz 'epoch' + r * interval '1 microsecond', ph, h
    FROM unnest(positions, streams, versions, ids, types, schemas, event_data, event_meta, recorded, prev_hashes, hashes)
         AS u(p, s, v, i, t, sc, d, m, r, ph, h);
    INSERT INTO idempotency_keys (key, request_hash, result, first_position, reply)
    SELECT k, h, r, f, NULLIF(a, '')
    FROM unnest(key_names, key_hashes, key_results, key_firsts, key_replies) AS u(k, h, r, f, a);
    PERFORM pg_notify('pledger_events', head_position::text);
    COMMIT;
    written := true;
END;
$$;

REVOKE ALL ON PROCEDURE pledger_commit_on_head FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE pledger_commit_on_head TO pledger_app;
