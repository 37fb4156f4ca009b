-- The server, connected as the least-privileged `pledger_app`, answers /readyz by comparing
-- the applied migrations with its own: it must read `schema_migrations` (never write it —
-- migrations run as the owner).
GRANT SELECT ON schema_migrations TO pledger_app;
