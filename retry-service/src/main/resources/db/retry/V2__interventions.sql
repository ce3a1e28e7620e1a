-- Operators' actions on tasks (a redrive, a resume, a retry now), so that a task that ends DONE afterwards
-- counts as healed by a person, not by retries alone.
CREATE TABLE retry.interventions (
  task_id     uuid        PRIMARY KEY,
  actor       text        NOT NULL,
  at          timestamptz NOT NULL
);
CREATE INDEX interventions_by_time ON retry.interventions (at);
