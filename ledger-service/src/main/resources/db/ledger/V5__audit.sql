-- Operator actions that leave no task behind to carry them in its history: a purge deletes the dead
-- letters and their history, so the purge itself is recorded here (who, when, what), in the same
-- statement as the delete.
CREATE TABLE ledger.audit (
  id             bigserial PRIMARY KEY,
  at             timestamptz NOT NULL,
  action         text NOT NULL,
  actor          text NOT NULL,
  correlation_id text,
  details        jsonb NOT NULL
);

CREATE INDEX audit_newest ON ledger.audit (id DESC);
