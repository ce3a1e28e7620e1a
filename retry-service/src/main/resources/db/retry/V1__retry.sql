-- The retry service's schema: its decisions (once per task attempt), the circuits it restores after a
-- restart, their transitions and the retry budgets' exhaustion episodes. Live counters (sliding windows,
-- budget buckets, workflow windows) are in cluster-wide shared data, not here.

CREATE TABLE retry.decisions (
  task_id     uuid        NOT NULL,
  attempt     integer     NOT NULL CHECK (attempt >= 1),
  stage       text        NOT NULL,
  action      text        NOT NULL CHECK (action IN ('RETRY', 'PARK', 'DEAD_LETTER', 'ABORT_WORKFLOW')),
  run_at      timestamptz,
  delay_ms    bigint,
  cause       text        NOT NULL,
  degraded    boolean     NOT NULL,
  free        boolean     NOT NULL,
  blocked_by  text,
  reason      text        NOT NULL,
  failure_id  uuid,
  decided_at  timestamptz NOT NULL,
  PRIMARY KEY (task_id, attempt),
  CHECK (action <> 'RETRY' OR run_at IS NOT NULL)
);
CREATE INDEX decisions_decided_at ON retry.decisions (decided_at);

CREATE TABLE retry.circuits (
  name        text        PRIMARY KEY,
  state       text        NOT NULL CHECK (state IN ('CLOSED', 'OPEN', 'HALF_OPEN', 'FORCED_OPEN', 'DISABLED')),
  version     bigint      NOT NULL,
  snapshot    jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE retry.circuit_transitions (
  id          bigserial   PRIMARY KEY,
  name        text        NOT NULL,
  from_state  text        NOT NULL,
  to_state    text        NOT NULL,
  reason      text,
  actor       text,
  at          timestamptz NOT NULL
);
CREATE INDEX circuit_transitions_name ON retry.circuit_transitions (name, id);
CREATE INDEX circuit_transitions_at ON retry.circuit_transitions (at);

CREATE TABLE retry.budget_events (
  id              bigserial   PRIMARY KEY,
  budget          text        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('EXHAUSTED', 'RECOVERED')),
  retries         bigint      NOT NULL,
  allowance       bigint      NOT NULL,
  first_attempts  bigint,
  at              timestamptz NOT NULL
);
CREATE INDEX budget_events_at ON retry.budget_events (at);
