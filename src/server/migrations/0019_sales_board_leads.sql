-- Issue 11, the board and leads/deals (docs/sales.md).

-- Rotting (停滞): an open deal is idle once it has had no activity and no stage change for the pipeline's
-- rotting_days (null = not marked). Idle time = now − greatest(stage_entered_at, last_activity_at): both are columns
-- of the deal row the board already reads, so marking costs nothing per card. last_activity_at is kept by the
-- activity.created consumer (deals.activity.ts) and is null until the first activity, so adding it rewrites no rows.
ALTER TABLE pipelines ADD COLUMN rotting_days integer CHECK (rotting_days BETWEEN 1 AND 3650);
ALTER TABLE deals ADD COLUMN last_activity_at timestamptz;

-- A lead typed in by a user comes from 手入力 (manual), not from a web form or "other".
ALTER TABLE leads ALTER COLUMN source SET DEFAULT 'manual';

-- Whether a won/lost deal must give a reason (administrators decide; optional by default).
ALTER TABLE sales_settings ADD COLUMN close_reason_required boolean NOT NULL DEFAULT false;
