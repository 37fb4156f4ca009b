-- One idempotency mechanism. A key is stored in the same statement as the events it wrote,
-- with the answer the caller rendered for them (for HTTP: status, headers and body), so a
-- retry gets the first answer byte for byte and a key exists exactly when its events do.
-- The HTTP layer's separate table (saved after the append, in a second transaction) is gone:
-- a crash between the two made a retry look like a different request.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS reply text;
DROP TABLE IF EXISTS http_idempotency;
