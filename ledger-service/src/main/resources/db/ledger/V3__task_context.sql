-- What the ledger hands the analyzer (and through it the retry service) about a failure's task
-- (FailureEvent.task): the task's own attempt budget, and each failure's run.

-- The attempt budget the task was enqueued with; NULL when it gave none (max_attempts then holds the
-- ledger's default, which the retry service must not mistake for the task's own). Tasks enqueued
-- before this migration read as having given none.
ALTER TABLE ledger.tasks ADD COLUMN own_max_attempts int;

-- The task's attempt base when the failure was recorded (a redrive changes the task's), so every
-- re-send tells the same run; NULL for free-standing failures and for failures recorded before.
ALTER TABLE ledger.failures ADD COLUMN attempt_base int;
