-- Where the migrator records what it applied: each file's name and SHA-256. Run before
-- every migration (it changes nothing once the table exists), then recorded like the rest.
CREATE TABLE IF NOT EXISTS schema_migrations (
    name       text        PRIMARY KEY,
    sha256     text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
