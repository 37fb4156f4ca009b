-- Least privilege: the application role `pledger_app` may read and append events, move the
-- head, and record idempotency keys — nothing else. Migrations run as the owner.
-- Creating a role needs CREATEROLE; where the owner lacks it, a DBA creates
-- `pledger_app` beforehand and this file only grants.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pledger_app') THEN
        CREATE ROLE pledger_app LOGIN;
    END IF;
END;
$$;

REVOKE ALL ON events, ledger_head, idempotency_keys FROM PUBLIC;
REVOKE ALL ON events, ledger_head, idempotency_keys FROM pledger_app;
GRANT SELECT, INSERT ON events TO pledger_app;
GRANT SELECT, UPDATE ON ledger_head TO pledger_app;
GRANT SELECT, INSERT ON idempotency_keys TO pledger_app;
GRANT USAGE ON SCHEMA public TO pledger_app;
