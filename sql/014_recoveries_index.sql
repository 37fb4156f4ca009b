-- The loans a fund may be owed a share of recoveries on are those with a recovery received:
-- a few thousand streams in a national ledger of millions of events. A partial index finds
-- them without reading the log (`pledger recoveries due`), as events_agreements finds schemes.
CREATE INDEX IF NOT EXISTS events_recoveries ON events (type, position) WHERE type = 'RecoveryReceived';
