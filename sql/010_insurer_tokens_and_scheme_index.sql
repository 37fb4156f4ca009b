-- Insurer tokens (`insurer:{id}`): a pledge insurer reads its own policies and settles its
-- own share of its insured loans' losses, nothing else. Like a bank token, the role carries
-- the party it is scoped to; exactly one of bank_id and insurer_id is set for those roles.
ALTER TABLE api_tokens ADD COLUMN insurer_id text;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
    CHECK (role IN ('admin', 'fund_admin', 'auditor', 'bank', 'insurer'));
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_bank_scope CHECK ((role = 'bank') = (bank_id IS NOT NULL));
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_insurer_scope CHECK ((role = 'insurer') = (insurer_id IS NOT NULL));

-- Schemes are found by their agreements (a fund's exposure report reads every scheme that
-- names the fund); a partial index keeps that a few rows' read at any size of the log.
CREATE INDEX IF NOT EXISTS events_agreements ON events (type, position) WHERE type = 'SchemeAgreed';
