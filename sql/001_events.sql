-- The append-only event log (DESIGN §2). Rows are never updated or deleted; the head row
-- is the single lock that serialises appends and carries the tip of the hash chain.

CREATE TABLE IF NOT EXISTS events (
    position    bigint      PRIMARY KEY CHECK (position > 0),
    stream      text        NOT NULL CHECK (stream <> ''),
    version     integer     NOT NULL CHECK (version > 0),
    event_id    uuid        NOT NULL UNIQUE,
    type        text        NOT NULL CHECK (type <> ''),
    schema      integer     NOT NULL CHECK (schema > 0),
    data        text        NOT NULL,   -- canonical JSON text, hashed byte for byte
    meta        text        NOT NULL,   -- canonical JSON text
    recorded_at timestamptz NOT NULL,
    prev_hash   bytea       NOT NULL CHECK (length(prev_hash) = 32),
    hash        bytea       NOT NULL CHECK (length(hash) = 32),
    UNIQUE (stream, version)
);

CREATE TABLE IF NOT EXISTS ledger_head (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position    bigint      NOT NULL,
    hash        bytea       NOT NULL CHECK (length(hash) = 32),
    recorded_at timestamptz
);
INSERT INTO ledger_head (singleton, position, hash)
VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
ON CONFLICT DO NOTHING;

-- Idempotency keys: the first result is kept, so a retried request gets the same answer.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key            text        PRIMARY KEY,
    request_hash   bytea       NOT NULL,
    result         text        NOT NULL,
    first_position bigint      NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Immutability, enforced by the database itself (even for the table owner).
CREATE OR REPLACE FUNCTION pledger_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pledger: % on % is not allowed; the ledger is append-only (reverse a mistake with a new event)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0001';
END;
$$;

DROP TRIGGER IF EXISTS events_no_update ON events;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION pledger_reject_change();
DROP TRIGGER IF EXISTS events_no_truncate ON events;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION pledger_reject_change();

DROP TRIGGER IF EXISTS idempotency_no_update ON idempotency_keys;
CREATE TRIGGER idempotency_no_update BEFORE UPDATE OR DELETE ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION pledger_reject_change();
