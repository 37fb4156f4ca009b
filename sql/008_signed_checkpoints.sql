-- Checkpoints the server signed (Ed25519) of the ledger head, published at
-- /v1/ledger/checkpoints for banks and auditors to keep outside this database. Kept here so
-- every API node serves the same list; the proof is in the copies others keep: a history a
-- superuser rewrote no longer leads to a hash they hold, and they cannot re-sign without
-- the key, which lives with the server, never in the database.
CREATE TABLE IF NOT EXISTS signed_checkpoints (
    position  bigint      NOT NULL CHECK (position >= 0),
    signed_at timestamptz NOT NULL DEFAULT now(),
    body      text        NOT NULL,   -- the signed JSON, byte for byte as published
    PRIMARY KEY (position, signed_at)
);
GRANT SELECT, INSERT ON signed_checkpoints TO pledger_app;
GRANT SELECT ON signed_checkpoints TO pledger_readonly, pledger_auditor;
