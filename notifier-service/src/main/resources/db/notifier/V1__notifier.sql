-- The notifier: alerts and their history, aggregation groups, silences, fired escalation steps, the delivery
-- outbox and each endpoint's shared rate-limit and circuit state. No secret is stored: deliveries name their
-- endpoint by a hash (endpoint_key) and the URL or routing key is resolved from configuration at send time.

CREATE TABLE notifier.alerts (
  id                  uuid PRIMARY KEY,
  dedup_key           text NOT NULL,
  state               text NOT NULL CHECK (state IN ('FIRING', 'ACKNOWLEDGED', 'RESOLVED')),
  source              text NOT NULL CHECK (source IN ('REBOUND', 'API', 'ALERTMANAGER')),
  labels              jsonb NOT NULL,
  severity            text NOT NULL,
  summary             text NOT NULL,
  details             jsonb NOT NULL,
  starts_at           timestamptz NOT NULL,
  ends_at             timestamptz,
  generator_url       text,
  opened_at           timestamptz NOT NULL,
  last_seen_at        timestamptz NOT NULL,
  occurrences         integer NOT NULL,
  acknowledged_by     text,
  acknowledged_at     timestamptz,
  resolved_at         timestamptz,
  escalation_route    text,                 -- the route whose escalation plan applies, if any
  next_escalation_at  timestamptz,          -- the escalation sweep's index; null when nothing is due any more
  version             bigint NOT NULL,
  CHECK ((state = 'RESOLVED') = (resolved_at IS NOT NULL))
);
-- A repeat of an open alert is the same alert: at most one open alert per dedup key.
CREATE UNIQUE INDEX alerts_open_dedup ON notifier.alerts (dedup_key) WHERE state <> 'RESOLVED';
CREATE INDEX alerts_by_dedup ON notifier.alerts (dedup_key, opened_at DESC);
CREATE INDEX alerts_by_state ON notifier.alerts (state, opened_at DESC);
CREATE INDEX alerts_open_task ON notifier.alerts ((labels ->> 'task')) WHERE state <> 'RESOLVED';
CREATE INDEX alerts_open_circuit ON notifier.alerts ((labels ->> 'circuit')) WHERE state <> 'RESOLVED';
CREATE INDEX alerts_ending ON notifier.alerts (ends_at) WHERE state <> 'RESOLVED' AND ends_at IS NOT NULL;
CREATE INDEX alerts_escalating ON notifier.alerts (next_escalation_at) WHERE next_escalation_at IS NOT NULL;

CREATE TABLE notifier.alert_history (
  id          bigserial PRIMARY KEY,
  alert_id    uuid NOT NULL REFERENCES notifier.alerts (id) ON DELETE CASCADE,
  from_state  text,
  to_state    text NOT NULL,
  by          text NOT NULL,
  reason      text,
  at          timestamptz NOT NULL
);
CREATE INDEX alert_history_by_alert ON notifier.alert_history (alert_id, id);

-- Aggregation groups (Alertmanager's dispatcher): one row each, its members apart so that a storm of alerts
-- into one group adds rows instead of rewriting one ever-growing value.
CREATE TABLE notifier.groups (
  group_key         text PRIMARY KEY,
  route_key         text NOT NULL,
  receiver          text NOT NULL,
  group_labels      jsonb NOT NULL,
  created_at        timestamptz NOT NULL,
  next_flush_at     timestamptz NOT NULL,
  has_flushed       boolean NOT NULL,
  last_notified_at  timestamptz
);
CREATE INDEX groups_due ON notifier.groups (next_flush_at);

CREATE TABLE notifier.group_members (
  group_key          text NOT NULL REFERENCES notifier.groups (group_key) ON DELETE CASCADE,
  dedup_key          text NOT NULL,
  firing_since       timestamptz,            -- null: not firing
  resolved           boolean NOT NULL,        -- resolved since the last flush
  notified_firing    boolean NOT NULL,
  notified_resolved  boolean NOT NULL,
  PRIMARY KEY (group_key, dedup_key)
);

CREATE TABLE notifier.silences (
  id          uuid PRIMARY KEY,
  matchers    jsonb NOT NULL,                  -- Alertmanager matcher texts
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  created_by  text NOT NULL,
  comment     text NOT NULL,
  created_at  timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX silences_by_end ON notifier.silences (ends_at);

-- One row per fired escalation step: inserted ON CONFLICT DO NOTHING, delivered only by the insert that won.
CREATE TABLE notifier.escalation_steps (
  alert_id  uuid NOT NULL REFERENCES notifier.alerts (id) ON DELETE CASCADE,
  step      integer NOT NULL,
  repeat    integer NOT NULL,
  fired_at  timestamptz NOT NULL,
  PRIMARY KEY (alert_id, step, repeat)
);

-- The durable delivery outbox.
CREATE TABLE notifier.deliveries (
  id               bigserial PRIMARY KEY,
  channel          text NOT NULL CHECK (channel IN ('SLACK', 'PAGERDUTY', 'TEAMS', 'EMAIL', 'WEBHOOK')),
  endpoint_key     text NOT NULL,
  receiver         text NOT NULL,
  group_key        text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('GROUP', 'ESCALATION', 'ACKNOWLEDGE')),
  message          jsonb NOT NULL,             -- {firing:[alert ids], resolved:[alert ids], groupLabels, digest}
  payload          jsonb NOT NULL,             -- the body, without the endpoint's secret
  dedup_key        text,                       -- the channel's own dedup key (PagerDuty dedup_key)
  status           text NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DIGESTED')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,       -- PENDING: when due; SENDING: when the claim lapses
  last_error       text,
  created_at       timestamptz NOT NULL,
  sent_at          timestamptz
);
CREATE INDEX deliveries_due ON notifier.deliveries (next_attempt_at, id) WHERE status IN ('PENDING', 'SENDING');
CREATE INDEX deliveries_by_status ON notifier.deliveries (status, id DESC);

-- Each endpoint's token-bucket state (shared by every instance) and its circuit.
CREATE TABLE notifier.endpoints (
  endpoint_key          text PRIMARY KEY,
  tokens                double precision[] NOT NULL,
  tokens_at             timestamptz NOT NULL,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  paused_until          timestamptz
);
