-- The reports' sums. Growth: kept by the projector in the same transaction as `rm_loans`
-- and its checkpoint: one row per scope ('*' for every bank, else a bank id), series
-- ('total', 'bank', 'kind', 'industry', 'region.district|city|province', 'enrolled',
-- 'scheme'), slice value, origination day and the month of the same borrower's previous
-- loan in that scope and value within the last twelve months (-1 for none: months count
-- from year 0, year × 12 + month − 1). A current report reads a few hundred summed rows,
-- never every loan.
CREATE TABLE IF NOT EXISTS rm_growth (
    scope          text   NOT NULL,
    series         text   NOT NULL,
    value          text   NOT NULL,
    day            date   NOT NULL,
    month          int    NOT NULL,
    previous_month int    NOT NULL,
    loans          bigint NOT NULL,
    principal_fen  bigint NOT NULL,
    PRIMARY KEY (scope, series, month, day, value, previous_month)
);

-- The same sums by month: a report reads whole months here, and days only in the months
-- its periods are cut in (a year-to-date, the same span a year earlier).
CREATE TABLE IF NOT EXISTS rm_growth_months (
    scope          text   NOT NULL,
    series         text   NOT NULL,
    value          text   NOT NULL,
    month          int    NOT NULL,
    previous_month int    NOT NULL,
    loans          bigint NOT NULL,
    principal_fen  bigint NOT NULL,
    PRIMARY KEY (scope, series, month, value, previous_month)
);

-- A fund's exposure on its loans, by borrower (`ExposureReport.BorrowerPart`), in a scope ('*'
-- for every bank, else one bank's slice): for each borrower of the fund, one row with its
-- figures (bank_id '') and one per bank it borrows from (its part of that bank's breakdown);
-- and the sums of those rows (borrower ''): the fund's totals (bank_id '', where
-- capped_fen is the contingent liability after the per-borrower caps) and each bank's
-- breakdown. The projector replaces a borrower's rows when one of its loans, its committed
-- compensation or the fund's policies change, and adds the difference to the sums, in the
-- transaction that moves the checkpoint. A current report reads the sums and the largest
-- borrowers.
CREATE TABLE IF NOT EXISTS rm_exposure (
    fund_id                 text   NOT NULL,
    scope                   text   NOT NULL,
    borrower                text   NOT NULL,
    bank_id                 text   NOT NULL,
    enrolled                bigint NOT NULL,
    loans                   bigint NOT NULL,
    covered_outstanding_fen bigint NOT NULL,
    contingent_fen          bigint NOT NULL,
    capped_fen              bigint NOT NULL,
    non_performing_fen      bigint NOT NULL,
    pending_claims_fen      bigint NOT NULL,
    pending_filed           bigint NOT NULL,
    pending_approved        bigint NOT NULL,
    owed_to_fund_fen        bigint NOT NULL,
    PRIMARY KEY (fund_id, borrower, scope, bank_id)
);
CREATE INDEX IF NOT EXISTS rm_exposure_largest ON rm_exposure (fund_id, scope, covered_outstanding_fen DESC, borrower)
    WHERE bank_id = '' AND borrower <> '';

-- The projector reads a borrower's other loans when one of them changes.
CREATE INDEX IF NOT EXISTS rm_loans_borrower ON rm_loans (borrower);

GRANT SELECT, INSERT, UPDATE, DELETE ON rm_growth, rm_growth_months, rm_exposure TO pledger_app;
REVOKE ALL ON rm_growth, rm_growth_months, rm_exposure FROM pledger_readonly, pledger_auditor;
GRANT SELECT ON rm_growth, rm_growth_months, rm_exposure TO pledger_readonly, pledger_auditor;

-- The new tables start empty, so the read models are projected again from the first event:
-- the projector fills the four tables together (until it has caught up, current reports
-- count only what it has reached; `pledger projections rebuild` does it in one pass).
DELETE FROM projection_checkpoints WHERE name = 'reports';
DELETE FROM rm_loans;
DELETE FROM rm_funds;
