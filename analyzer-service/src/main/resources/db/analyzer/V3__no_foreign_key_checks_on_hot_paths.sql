-- Occurrences and per-stage counts are written only in the transaction that upserts their fingerprint
-- first, and fingerprints are never deleted, so the per-row foreign-key check (an internal query and a
-- row lock for every occurrence) proved nothing and cost CPU on every analysed failure (perf, issue 7).
ALTER TABLE analyzer.occurrences DROP CONSTRAINT IF EXISTS occurrences_fingerprint_fkey;
ALTER TABLE analyzer.fingerprint_stages DROP CONSTRAINT IF EXISTS fingerprint_stages_fingerprint_fkey;
