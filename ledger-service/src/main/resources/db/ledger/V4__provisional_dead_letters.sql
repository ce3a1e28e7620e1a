-- A retry-service decision replaces the ledger's provisional dead letter (issue: the provisional rule
-- dead-lettered before the stage's policy had its last retries).

-- The version the task got when the ledger's provisional rule dead-lettered it; NULL otherwise. Every
-- later change bumps the version, so "version = provisional_dead_letter_version" means nothing (a
-- redrive, a person, a newer attempt) touched the task since.
ALTER TABLE ledger.tasks ADD COLUMN provisional_dead_letter_version bigint;
