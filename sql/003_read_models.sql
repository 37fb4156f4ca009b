-- Read models for the current view (DESIGN §5). Disposable: `pledger projections rebuild`
-- recomputes them from position 1. Each projector batch writes its rows and its
-- checkpoint in one transaction, so a crash never double-counts or skips.

CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per loan, as the reports read it. `snapshot` is the canonical JSON of the
-- loan's snapshot; the other columns repeat its main fields for SQL users.
CREATE TABLE IF NOT EXISTS rm_loans (
    stream          text    PRIMARY KEY,
    bank_id         text    NOT NULL,
    contract_no     text    NOT NULL,
    borrower        text    NOT NULL,
    fund_id         text,
    originated_on   date    NOT NULL,
    status          text    NOT NULL,
    principal_fen   bigint  NOT NULL,
    outstanding_fen bigint  NOT NULL,
    snapshot        text    NOT NULL,
    last_position   bigint  NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_loans_fund ON rm_loans (fund_id);
CREATE INDEX IF NOT EXISTS rm_loans_bank ON rm_loans (bank_id);

-- One row per fund: its money, for SQL users and reconciliation.
CREATE TABLE IF NOT EXISTS rm_funds (
    fund_id         text    PRIMARY KEY,
    name            text    NOT NULL,
    contributed_fen bigint  NOT NULL,
    paid_out_fen    bigint  NOT NULL,
    returned_fen    bigint  NOT NULL,
    balance_fen     bigint  NOT NULL,
    suspended       boolean NOT NULL,
    last_position   bigint  NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints, rm_loans, rm_funds TO pledger_app;
