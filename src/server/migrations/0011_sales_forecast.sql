-- Sales forecast: a forecast category on deals, the workspace's fiscal year start, sales targets per month.
-- workspace_id leads every key and index (Citus-ready). Money: bigint minor units + ISO 4217 currency.

-- pipeline / best_case / commit / omitted (omitted deals stay out of every forecast figure but closed won).
-- A constant default: PostgreSQL adds the column without rewriting the table.
ALTER TABLE deals ADD COLUMN forecast_category text NOT NULL DEFAULT 'pipeline'
  CHECK (forecast_category IN ('pipeline', 'best_case', 'commit', 'omitted'));

-- The forecast reads open deals by expected close date and closed deals by close time, in one grouped
-- statement; each part is an index-only range (the grouping and visibility columns are included).
CREATE INDEX deals_forecast_open ON deals (workspace_id, expected_close_date)
  INCLUDE (pipeline_id, stage_id, currency, amount, forecast_category, owner_id, team_id)
  WHERE deleted_at IS NULL AND status = 'open';
CREATE INDEX deals_forecast_closed ON deals (workspace_id, closed_at)
  INCLUDE (pipeline_id, status, currency, amount, created_at, owner_id, team_id)
  WHERE deleted_at IS NULL AND status <> 'open';

-- Sales settings of a workspace (kept by the sales module; the accounts module owns workspaces.settings).
CREATE TABLE sales_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id),
  -- 4 = 4月始まり (the Japanese fiscal year: April to March)
  fiscal_start_month smallint NOT NULL DEFAULT 4 CHECK (fiscal_start_month BETWEEN 1 AND 12),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid
);

-- 目標: one amount per month and currency for an owner, a team, or the whole workspace (neither).
CREATE TABLE sales_targets (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  owner_id uuid,
  team_id uuid,
  currency char(3) NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id, id),
  -- owner and team are checked on write, not by foreign keys: removing a team must not be blocked by its targets
  CHECK (owner_id IS NULL OR team_id IS NULL)
);
-- One target per (month, subject, currency); the all-zero uuid stands for "none" so the key is one index.
CREATE UNIQUE INDEX sales_targets_subject ON sales_targets (
  workspace_id, month,
  coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid),
  currency
);
