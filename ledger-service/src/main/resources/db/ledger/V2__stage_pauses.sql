-- Stage pauses (issue 7): while a stage's circuit is open, or a person paused it, claims hand out
-- none of its tasks. Kept here, not in memory, so a pause survives restarts and every ledger
-- instance honours the same one.
--   PAUSED     claims skip the stage
--   PROBING    (circuit half-open) claims skip the stage except its one probe task
--   RELEASING  resumed: claims run again; the parked tasks of the stage are released a few at a time
--              (next_release_at paces it across instances); the row goes when none is left
CREATE TABLE ledger.stage_pauses (
  stage            text PRIMARY KEY,
  state            text NOT NULL,
  reason           text,
  paused_by        text NOT NULL,
  since            timestamptz NOT NULL,
  event_at         timestamptz NOT NULL,    -- when the change applied last happened: an older event changes nothing
  probe_allowance  int NOT NULL DEFAULT 0,  -- probes still to let through (PROBING: 1 until a claim takes it)
  probe_task       uuid,                    -- the task let through as the probe, until a claim takes it
  next_release_at  timestamptz NOT NULL,
  CONSTRAINT stage_pauses_state_known CHECK (state IN ('PAUSED','PROBING','RELEASING')),
  CONSTRAINT stage_pauses_probes_sane CHECK (probe_allowance >= 0 AND (probe_task IS NULL OR probe_allowance > 0))
);

-- When the retry service parked the task (a PARK decision: an open circuit or a spent budget); NULL
-- for a person's block. Only rows BLOCKED with it set are released when the stage's circuit probes
-- or closes, oldest first.
ALTER TABLE ledger.tasks ADD COLUMN parked_at timestamptz;
CREATE INDEX tasks_parked ON ledger.tasks (stage, parked_at, id) WHERE state = 'BLOCKED' AND parked_at IS NOT NULL;
