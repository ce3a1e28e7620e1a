-- Issue 11: the signature, the identity of the underlying error whatever wraps it (see ErrorSignature).
-- Fingerprints stay the template's identity; history is also kept per signature, the unit alerts group by.

CREATE TABLE analyzer.signatures (
  signature            text PRIMARY KEY,
  rule_id              text,
  category             text NOT NULL,
  transient            boolean NOT NULL,
  occurrences          bigint NOT NULL DEFAULT 0,
  first_seen           timestamptz NOT NULL,
  last_seen            timestamptz NOT NULL,
  healed_by_retry      bigint NOT NULL DEFAULT 0,
  dead_lettered        bigint NOT NULL DEFAULT 0,
  resolved_by_person   bigint NOT NULL DEFAULT 0
);
CREATE INDEX signatures_by_recent ON analyzer.signatures (last_seen DESC);

-- Rows written before this migration have no signature.
ALTER TABLE analyzer.fingerprints ADD COLUMN signature text;
ALTER TABLE analyzer.occurrences ADD COLUMN signature text;
ALTER TABLE analyzer.outcomes ADD COLUMN signature text;
CREATE INDEX occurrences_by_signature ON analyzer.occurrences (signature, seen_at DESC) WHERE signature IS NOT NULL;
