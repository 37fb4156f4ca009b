-- The growth report's sums, kept by the projector in the same transaction as `rm_loans`
-- and its checkpoint: one row per scope ('*' for every bank, else a bank id), series
-- ('total', 'bank', 'kind', 'industry', 'region.district|city|province', 'enrolled',
-- 'scheme'), slice value, origination day and the month of the same borrower's previous
-- loan in that scope and value (-1 for its first: months count from year 0, year × 12 +
-- month − 1). A current report reads a few hundred summed rows of it, never every loan.
CREATE TABLE IF NOT EXISTS rm_growth (
    scope          text   NOT NULL,
    series         text   NOT NULL,
    value          text   NOT NULL,
    day            date   NOT NULL,
    month          int    NOT NULL,
    previous_month int    NOT NULL,
    loans          bigint NOT NULL,
    principal_fen  bigint NOT NULL,
    PRIMARY KEY (scope, series, day, value, previous_month)
);

-- The projector reads a borrower's other loans when one of them changes.
CREATE INDEX IF NOT EXISTS rm_loans_borrower ON rm_loans (borrower);

GRANT SELECT, INSERT, UPDATE, DELETE ON rm_growth TO pledger_app;
REVOKE ALL ON rm_growth FROM pledger_readonly, pledger_auditor;
GRANT SELECT ON rm_growth TO pledger_readonly, pledger_auditor;

-- The new table starts empty, so the read models are projected again from the first event:
-- the projector fills the three tables together (until it has caught up, current reports
-- count only what it has reached; `pledger projections rebuild` does it in one pass).
DELETE FROM projection_checkpoints WHERE name = 'reports';
DELETE FROM rm_loans;
DELETE FROM rm_funds;
