-- API bearer tokens (DESIGN §6): only the SHA-256 of a token is stored; the token itself is
-- shown once when created. Revocation sets revoked_at (tokens are access control, not
-- ledger history). Roles: admin, fund_admin, auditor, bank (with bank_id).
CREATE TABLE IF NOT EXISTS api_tokens (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('admin', 'fund_admin', 'auditor', 'bank')),
    bank_id      text,
    token_sha256 bytea       NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CHECK ((role = 'bank') = (bank_id IS NOT NULL))
);

-- HTTP idempotency: the first successful response to a key, replayed on retries.
CREATE TABLE IF NOT EXISTS http_idempotency (
    scope          text        NOT NULL,
    key            text        NOT NULL,
    request_sha256 bytea       NOT NULL,
    status         integer     NOT NULL,
    body           text        NOT NULL,
    etag           text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

GRANT SELECT ON api_tokens TO pledger_app;
GRANT SELECT, INSERT ON http_idempotency TO pledger_app;

-- Registrations are listed by the API; a partial index keeps that cheap without taxing
-- the append path for the other event types.
CREATE INDEX IF NOT EXISTS events_registrations ON events (type, position)
    WHERE type IN ('FundEstablished', 'BankRegistered', 'BorrowerRegistered', 'AssetRegistered');
