-- Sales (SFA): products, pipelines with ordered stages, deals with line items and stage history, leads.
-- workspace_id leads every key and index (Citus-ready). Money: bigint minor units + ISO 4217 currency.

CREATE TABLE products (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  sku text NOT NULL CHECK (sku <> ''),
  name text NOT NULL,
  category text,
  description text,
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  cost bigint CHECK (cost >= 0),
  currency char(3) NOT NULL,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id)
);
-- SKU unique per workspace among live products (a trashed product frees its SKU).
CREATE UNIQUE INDEX products_sku ON products (workspace_id, lower(sku)) WHERE deleted_at IS NULL;
CREATE INDEX products_name ON products (workspace_id, name, id) WHERE deleted_at IS NULL;

CREATE TABLE pipelines (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  name text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  is_default boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id)
);
-- At most one default pipeline: makes creating it on first use idempotent under concurrency.
CREATE UNIQUE INDEX pipelines_default ON pipelines (workspace_id) WHERE is_default;

CREATE TABLE pipeline_stages (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  pipeline_id uuid NOT NULL,
  name text NOT NULL,
  position integer NOT NULL,
  probability smallint NOT NULL CHECK (probability BETWEEN 0 AND 100),
  kind text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, pipeline_id, id),
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipelines (workspace_id, id)
);
CREATE INDEX pipeline_stages_order ON pipeline_stages (workspace_id, pipeline_id, position) WHERE deleted_at IS NULL;

CREATE TABLE deals (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  title text NOT NULL,
  pipeline_id uuid NOT NULL,
  stage_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
  amount bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency char(3) NOT NULL,
  expected_close_date date,
  person_id uuid,
  company_id uuid,
  lead_id uuid,
  owner_id uuid,
  team_id uuid,
  next_step text,
  close_reason text,
  competitor text,
  closed_at timestamptz,
  stage_entered_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id),
  -- the stage must belong to the deal's pipeline
  FOREIGN KEY (workspace_id, pipeline_id, stage_id) REFERENCES pipeline_stages (workspace_id, pipeline_id, id),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id)
);
-- The board: first page of every stage, newest arrivals first (one index range per stage).
CREATE INDEX deals_board ON deals (workspace_id, pipeline_id, stage_id, stage_entered_at DESC, id DESC) WHERE deleted_at IS NULL;
-- Filtered stage totals without visiting the heap (index-only scan): the board's own filters (owner, team,
-- close month) and the visibility policy are checked on the index tuple.
CREATE INDEX deals_stage_totals ON deals (workspace_id, pipeline_id, stage_id, currency, amount)
  INCLUDE (owner_id, team_id, expected_close_date) WHERE deleted_at IS NULL;
CREATE INDEX deals_updated ON deals (workspace_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX deals_owner ON deals (workspace_id, owner_id, stage_entered_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX deals_close ON deals (workspace_id, expected_close_date, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_person ON deals (workspace_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX deals_company ON deals (workspace_id, company_id) WHERE company_id IS NOT NULL;

-- Per-stage totals of live deals, kept in the same transaction as every deal write: the unfiltered
-- board reads a handful of rows instead of aggregating every deal.
CREATE TABLE deal_stage_totals (
  workspace_id uuid NOT NULL,
  pipeline_id uuid NOT NULL,
  stage_id uuid NOT NULL,
  currency char(3) NOT NULL,
  deal_count bigint NOT NULL DEFAULT 0,
  amount bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, pipeline_id, stage_id, currency)
);

CREATE TABLE deal_line_items (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  deal_id uuid NOT NULL,
  position integer NOT NULL,
  product_id uuid,
  name text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  discount_type text CHECK (discount_type IN ('amount', 'percent')),
  -- amount: minor units off the line; percent: basis points (1250 = 12.5%)
  discount_value bigint NOT NULL DEFAULT 0 CHECK (discount_value >= 0),
  line_total bigint NOT NULL CHECK (line_total >= 0),
  unit_cost bigint,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id),
  FOREIGN KEY (workspace_id, product_id) REFERENCES products (workspace_id, id)
);
CREATE INDEX deal_line_items_deal ON deal_line_items (workspace_id, deal_id, position);
CREATE INDEX deal_line_items_product ON deal_line_items (workspace_id, product_id) WHERE product_id IS NOT NULL;

-- One row per stay of a deal in a stage; the open stay has no left_at.
CREATE TABLE deal_stage_history (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  deal_id uuid NOT NULL,
  pipeline_id uuid NOT NULL,
  stage_id uuid NOT NULL,
  entered_at timestamptz NOT NULL,
  left_at timestamptz,
  entered_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, deal_id) REFERENCES deals (workspace_id, id)
);
CREATE INDEX deal_stage_history_deal ON deal_stage_history (workspace_id, deal_id, entered_at, id);
CREATE INDEX deal_stage_history_stage ON deal_stage_history (workspace_id, stage_id, entered_at);

CREATE TABLE leads (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  family_name text NOT NULL,
  given_name text,
  family_name_kana text,
  given_name_kana text,
  company_name text,
  title text,
  email text,
  phone text,
  source text NOT NULL DEFAULT 'other',
  channel text,
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'working', 'qualified', 'disqualified', 'converted')),
  disqualified_reason text,
  notes text,
  owner_id uuid,
  team_id uuid,
  converted_at timestamptz,
  converted_by uuid,
  converted_person_id uuid,
  converted_company_id uuid,
  converted_deal_id uuid,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, converted_person_id) REFERENCES people (workspace_id, id),
  FOREIGN KEY (workspace_id, converted_company_id) REFERENCES companies (workspace_id, id),
  FOREIGN KEY (workspace_id, converted_deal_id) REFERENCES deals (workspace_id, id)
);
CREATE INDEX leads_created ON leads (workspace_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX leads_status ON leads (workspace_id, status, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX leads_owner ON leads (workspace_id, owner_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX leads_source ON leads (workspace_id, source, created_at DESC, id DESC) WHERE deleted_at IS NULL;
