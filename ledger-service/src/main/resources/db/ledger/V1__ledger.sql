-- The ledger: tasks, their history, failures (one row per failed attempt or free-standing failure),
-- decisions (idempotency per task attempt) and checkpoints.

CREATE TABLE ledger.tasks (
  id               uuid PRIMARY KEY,
  idempotency_key  text UNIQUE,
  workflow_id      text,
  stage            text NOT NULL,
  agent            text,
  type             text,
  payload          jsonb NOT NULL DEFAULT '{}'::jsonb,
  priority         int NOT NULL DEFAULT 0,
  state            text NOT NULL,
  attempt          int NOT NULL DEFAULT 0,
  attempt_base     int NOT NULL DEFAULT 0,   -- attempts before the last redrive: the budget is per run
  max_attempts     int NOT NULL,
  run_after        timestamptz NOT NULL,
  lease_owner      text,
  lease_token      uuid,
  lease_expires_at timestamptz,
  lease_ms         bigint,                  -- the claim's lease length: heartbeats extend by it
  version          bigint NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  finished_at      timestamptz,
  last_error       text,
  blocked_reason   text,
  result           jsonb,
  CONSTRAINT tasks_state_known CHECK (state IN ('QUEUED','RUNNING','RETRY','BLOCKED','DONE','FAILED','CANCELLED')),
  CONSTRAINT tasks_lease_iff_running CHECK ((state = 'RUNNING') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CONSTRAINT tasks_attempts_sane CHECK (attempt >= 0 AND attempt_base >= 0 AND attempt_base <= attempt AND max_attempts >= 1)
);

-- The one fetch index for claims (River-style): only claimable rows, in claim order.
CREATE INDEX tasks_claimable ON ledger.tasks (stage, priority DESC, run_after) WHERE state IN ('QUEUED','RETRY');
CREATE INDEX tasks_lease_expiry ON ledger.tasks (lease_expires_at) WHERE state = 'RUNNING';
CREATE INDEX tasks_by_state ON ledger.tasks (state, id);
CREATE INDEX tasks_by_workflow ON ledger.tasks (workflow_id, id) WHERE workflow_id IS NOT NULL;
-- No (stage, id) or (agent, id) index: each costs every enqueue and every transition an index
-- entry (measured: −17 % lifecycles/s); a listing by stage or agent alone scans the retained tasks.
CREATE INDEX tasks_finished ON ledger.tasks (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE ledger.history (
  id             bigserial PRIMARY KEY,
  task_id        uuid NOT NULL REFERENCES ledger.tasks(id) ON DELETE CASCADE,
  from_state     text,
  to_state       text NOT NULL,
  attempt        int NOT NULL,
  reason         text,
  error          text,
  actor          text,
  correlation_id text,
  at             timestamptz NOT NULL
);
CREATE INDEX history_by_task ON ledger.history (task_id, id);

CREATE TABLE ledger.failures (
  id              uuid PRIMARY KEY,
  task_id         uuid REFERENCES ledger.tasks(id) ON DELETE CASCADE,
  attempt         int,
  source          text,
  stage           text,
  workflow_id     text,
  message         text NOT NULL,
  error_type      text,
  stack_trace     text,
  http_status     int,
  exit_code       int,
  sql_state       text,
  details         jsonb,
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL,
  provisional     text,                -- the state the provisional policy chose (RETRY/FAILED)
  decided_at      timestamptz,
  decision        text,
  sends           int NOT NULL DEFAULT 0,
  next_send_at    timestamptz,          -- outbox: when the resender looks at it again
  CONSTRAINT failures_attempt_with_task CHECK ((task_id IS NULL) = (attempt IS NULL))
);
CREATE UNIQUE INDEX failures_one_per_attempt ON ledger.failures (task_id, attempt) WHERE task_id IS NOT NULL;
CREATE INDEX failures_outbox ON ledger.failures (next_send_at) WHERE decided_at IS NULL;
CREATE INDEX failures_recorded ON ledger.failures (recorded_at);

CREATE TABLE ledger.decisions (
  task_id     uuid NOT NULL REFERENCES ledger.tasks(id) ON DELETE CASCADE,
  attempt     int NOT NULL,
  action      text NOT NULL,
  run_at      timestamptz,
  reason      text,
  decided_by  text,
  applied     boolean NOT NULL,
  outcome     text NOT NULL,
  at          timestamptz NOT NULL,
  PRIMARY KEY (task_id, attempt)
);

CREATE TABLE ledger.checkpoints (
  task_id    uuid NOT NULL REFERENCES ledger.tasks(id) ON DELETE CASCADE,
  seq        bigint NOT NULL,
  state      text NOT NULL,     -- the JSON text exactly as saved, so the checksum can be verified
  checksum   text NOT NULL,     -- hex SHA-256 of state's UTF-8 bytes
  attempt    int NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (task_id, seq)
);
