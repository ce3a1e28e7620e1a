-- A task's history, failures, decisions and checkpoints are written only by statements that hold the
-- task's row (an UPDATE ... RETURNING, or a lock by primary key), so PostgreSQL's per-row foreign-key
-- check (an internal query and a row lock for every history, failure and decision row) proved nothing
-- the statements had not already ensured, and it cost about a fifth of PostgreSQL's CPU in the failure
-- flow (perf, issue 7). The deletes that relied on ON DELETE CASCADE (retention and the dead-letter
-- purge) now delete a task's rows in the same statement as the task (LedgerSql.DELETE_TASK_ROWS).
ALTER TABLE ledger.history DROP CONSTRAINT IF EXISTS history_task_id_fkey;
ALTER TABLE ledger.failures DROP CONSTRAINT IF EXISTS failures_task_id_fkey;
ALTER TABLE ledger.decisions DROP CONSTRAINT IF EXISTS decisions_task_id_fkey;
ALTER TABLE ledger.checkpoints DROP CONSTRAINT IF EXISTS checkpoints_task_id_fkey;
