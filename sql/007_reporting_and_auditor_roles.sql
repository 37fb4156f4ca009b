-- Three more roles beside `pledger_app` (002), each with the least it needs. The expected
-- privileges of all four live in one place, `Grants.expected` (Sources/PledgerStore/Database/
-- Grants.swift), and `pledger db grants --check` compares the database with it.
--
-- Roles belong to the cluster, grants to the database. Creating a role needs CREATEROLE
-- (and, on PostgreSQL 15, a superuser for REPLICATION); where the owner lacks it, a DBA
-- creates the roles beforehand (docs/operations.md, "Database roles") and this file only
-- grants. Existing roles are left as the DBA made them; the grants check reports any
-- attribute that differs.
--
-- No ALTER DEFAULT PRIVILEGES: default privileges bind to the role that creates a table
-- (a later migration run by another owner escapes them) and hide a grant from the file that
-- makes the table. Every later migration grants its table explicitly, and the grants check
-- reports any table without an entry in the expected matrix — the test suite runs it.

-- `pledger_readonly`: a group role for a finance office's SQL users (each person logs in as
-- their own role, made a member with `GRANT pledger_readonly TO alice`), hence NOLOGIN.
-- `pledger_auditor`: the same, for auditors.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pledger_readonly') THEN
        CREATE ROLE pledger_readonly NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pledger_auditor') THEN
        CREATE ROLE pledger_auditor NOLOGIN;
    END IF;
END;
$$;

-- `pledger_replication`: streaming standbys connect as it; REPLICATION is a role attribute and
-- it needs no table grant. PostgreSQL 15 lets only a superuser create it, and nothing here
-- depends on it, so an owner that is not one skips it with a notice (the grants check then
-- reports the role missing) rather than failing the migration.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pledger_replication') THEN
        IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            CREATE ROLE pledger_replication LOGIN REPLICATION;
        ELSE
            RAISE NOTICE 'pledger: pledger_replication not created (needs a superuser); a DBA creates it: CREATE ROLE pledger_replication LOGIN REPLICATION';
        END IF;
    END IF;
END;
$$;

GRANT USAGE ON SCHEMA public TO pledger_readonly, pledger_auditor;

-- Start from nothing, in case a DBA created the roles with grants of their own.
REVOKE ALL ON events, ledger_head, idempotency_keys, projection_checkpoints, rm_loans, rm_funds, api_tokens, schema_migrations
    FROM pledger_readonly, pledger_auditor;

-- The finance office reads the ledger and the current view — not the head row, not tokens,
-- not the stored idempotency replies (they repeat request answers, including other callers').
GRANT SELECT ON events, rm_loans, rm_funds, projection_checkpoints TO pledger_readonly;

-- The auditor reads every table and writes none. That includes `api_tokens`: a row holds the
-- SHA-256 of a 256-bit random secret, which can neither be presented as a token (the server
-- hashes what it is given) nor inverted, while the register of who had which role from when
-- to when is what an access audit reviews — and the hash tells which entry a leaked token is.
GRANT SELECT ON events, ledger_head, idempotency_keys, projection_checkpoints, rm_loans, rm_funds, api_tokens, schema_migrations
    TO pledger_auditor;
