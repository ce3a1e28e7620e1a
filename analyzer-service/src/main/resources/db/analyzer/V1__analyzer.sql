-- The analyzer: what each fingerprint is, how often it happens, where, and what healed it.

CREATE TABLE analyzer.fingerprints (
  fingerprint          text PRIMARY KEY,
  template             text NOT NULL,
  category             text NOT NULL,
  transient            boolean NOT NULL,
  severity             text NOT NULL,
  rule_id              text,
  root_cause           text NOT NULL,
  occurrences          bigint NOT NULL DEFAULT 0,
  first_seen           timestamptz NOT NULL,
  last_seen            timestamptz NOT NULL,
  healed_by_retry      bigint NOT NULL DEFAULT 0,
  heal_attempts_total  bigint NOT NULL DEFAULT 0,   -- sum of attempts it took to heal: average = total / healed
  dead_lettered        bigint NOT NULL DEFAULT 0,
  resolved_by_person   bigint NOT NULL DEFAULT 0,
  last_working_action  text
);
CREATE INDEX fingerprints_by_count ON analyzer.fingerprints (occurrences DESC);
CREATE INDEX fingerprints_by_recent ON analyzer.fingerprints (last_seen DESC);
CREATE INDEX fingerprints_by_category ON analyzer.fingerprints (category, last_seen DESC);

-- One row per classified failure: idempotency per failure id, impact and the task → fingerprint link.
CREATE TABLE analyzer.occurrences (
  failure_id   uuid PRIMARY KEY,
  fingerprint  text NOT NULL REFERENCES analyzer.fingerprints(fingerprint) ON DELETE CASCADE,
  task_id      uuid,
  attempt      int,
  workflow_id  text,
  stage        text,
  source       text,
  classified   jsonb NOT NULL,   -- the FailureClassified message as sent (redacted)
  seen_at      timestamptz NOT NULL
);
CREATE INDEX occurrences_by_fingerprint ON analyzer.occurrences (fingerprint, seen_at DESC);
CREATE INDEX occurrences_by_task ON analyzer.occurrences (task_id, attempt DESC) WHERE task_id IS NOT NULL;
CREATE INDEX occurrences_by_time ON analyzer.occurrences (seen_at);

CREATE TABLE analyzer.fingerprint_stages (
  fingerprint  text NOT NULL REFERENCES analyzer.fingerprints(fingerprint) ON DELETE CASCADE,
  stage        text NOT NULL,
  occurrences  bigint NOT NULL,
  PRIMARY KEY (fingerprint, stage)
);
CREATE INDEX fingerprint_stages_by_stage ON analyzer.fingerprint_stages (stage, occurrences DESC);

-- Outcomes learned from rebound.events.tasks, once per (task, attempt) even with several analyzers.
CREATE TABLE analyzer.outcomes (
  task_id      uuid NOT NULL,
  attempt      int NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('HEALED_BY_RETRY','DEAD_LETTERED','RESOLVED_BY_PERSON')),
  fingerprint  text NOT NULL,
  action       text,
  at           timestamptz NOT NULL,
  PRIMARY KEY (task_id, attempt)
);
CREATE INDEX outcomes_by_time ON analyzer.outcomes (at);

-- A person touched the task (redrive, unblock): a later success counts as resolved by a person.
CREATE TABLE analyzer.interventions (
  task_id  uuid PRIMARY KEY,
  action   text NOT NULL,
  at       timestamptz NOT NULL
);
CREATE INDEX interventions_by_time ON analyzer.interventions (at);

-- The template miner's learned clusters, so fingerprints survive a restart.
CREATE TABLE analyzer.learned_templates (
  cluster_id     text PRIMARY KEY,
  discriminator  text NOT NULL,
  template       text NOT NULL,
  size           bigint NOT NULL,
  updated_at     timestamptz NOT NULL
);
