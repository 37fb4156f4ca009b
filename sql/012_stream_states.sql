-- Funds' states written down by the projector and by a rebuild, so that a start, a command
-- or a report reads a fund's state and the events after it instead of its whole stream (a
-- national fund's stream holds an event for every loan it covers). Like the read models, a
-- row here is derived from the log and rewritten, never history. A state is written in parts
-- (the first without the fund's covered loans, then the loans ten thousand at a time) and
-- read one part at a time. `form` names the shape and fold that made it (a build reads only
-- its own form), and `hash` is the chain hash of the stream's event at `version`, checked
-- against the log on every read, so a state is read only on the log it was folded from.
-- `pledger reconcile projections` folds each stream again and compares; `pledger projections
-- rebuild` writes them all again.
CREATE TABLE IF NOT EXISTS stream_states (
    stream   text    NOT NULL,
    part     integer NOT NULL CHECK (part >= 0),   -- 0: the state without its loans; then the loans
    parts    integer NOT NULL CHECK (parts > part),
    form     text    NOT NULL,
    version  integer NOT NULL CHECK (version > 0),
    hash     bytea   NOT NULL,
    state    text    NOT NULL,
    PRIMARY KEY (stream, part)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON stream_states TO pledger_app;
REVOKE ALL ON stream_states FROM pledger_readonly, pledger_auditor;
GRANT SELECT ON stream_states TO pledger_readonly, pledger_auditor;
