-- Commerce: orders (購買履歴) with line items, always-current customer metrics, product co-occurrence for
-- cross-sell, and the per-workspace secret of the incoming EC webhook. workspace_id leads every key and index.
-- Money: bigint minor units + ISO 4217 currency.

CREATE TABLE orders (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  order_number text NOT NULL CHECK (order_number <> ''),
  -- The EC site's own order id: a webhook or import delivering it twice stores one order.
  external_id text,
  source text NOT NULL CHECK (source IN ('ui', 'api', 'webhook', 'import')),
  ordered_at timestamptz NOT NULL,
  person_id uuid,
  company_id uuid,
  status text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded')),
  currency char(3) NOT NULL,
  total bigint NOT NULL CHECK (total >= 0),
  refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= total),
  quantity bigint NOT NULL CHECK (quantity >= 0),
  payment_method text,
  channel text,
  store text,
  rep_id uuid,
  note text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id),
  CHECK (person_id IS NOT NULL OR company_id IS NOT NULL),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id)
);
CREATE UNIQUE INDEX orders_number ON orders (workspace_id, order_number);
CREATE UNIQUE INDEX orders_external ON orders (workspace_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX orders_recent ON orders (workspace_id, ordered_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_person ON orders (workspace_id, person_id, ordered_at DESC, id) WHERE person_id IS NOT NULL;
CREATE INDEX orders_company ON orders (workspace_id, company_id, ordered_at DESC, id) WHERE company_id IS NOT NULL;

CREATE TABLE order_lines (
  workspace_id uuid NOT NULL,
  order_id uuid NOT NULL,
  position smallint NOT NULL,
  product_id uuid NOT NULL,
  sku text NOT NULL,
  name text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  amount bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (workspace_id, order_id, position),
  FOREIGN KEY (workspace_id, order_id) REFERENCES orders (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, product_id) REFERENCES products (workspace_id, id)
);
CREATE INDEX order_lines_product ON order_lines (workspace_id, product_id);

-- Numbers for orders made without one (UI, API): per workspace, gap-free enough for people to quote.
CREATE TABLE order_counters (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id),
  last_value bigint NOT NULL
);

-- Always-current metrics, one row per customer with orders, rewritten from that customer's orders in the
-- transaction of every order change. Days since the last purchase is computed at read time.
CREATE TABLE person_metrics (
  workspace_id uuid NOT NULL,
  person_id uuid NOT NULL,
  currency char(3),
  purchase_count integer NOT NULL DEFAULT 0,
  purchase_total bigint NOT NULL DEFAULT 0,
  purchase_quantity bigint NOT NULL DEFAULT 0,
  first_purchase_at timestamptz,
  last_purchase_at timestamptz,
  realised_value bigint NOT NULL DEFAULT 0,
  refunded_total bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, person_id),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
) WITH (fillfactor = 70);
-- Rewritten on every order: only the key is indexed and pages keep free space, so updates stay HOT (no index
-- writes, little bloat). List filters and sorts reach a row by its key from people/companies.

CREATE TABLE company_metrics (
  workspace_id uuid NOT NULL,
  company_id uuid NOT NULL,
  currency char(3),
  purchase_count integer NOT NULL DEFAULT 0,
  purchase_total bigint NOT NULL DEFAULT 0,
  purchase_quantity bigint NOT NULL DEFAULT 0,
  first_purchase_at timestamptz,
  last_purchase_at timestamptz,
  realised_value bigint NOT NULL DEFAULT 0,
  refunded_total bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, company_id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id)
) WITH (fillfactor = 70);

-- Products bought in the same counted order (both directions).
CREATE TABLE product_pairs (
  workspace_id uuid NOT NULL,
  product_id uuid NOT NULL,
  other_product_id uuid NOT NULL,
  orders integer NOT NULL,
  PRIMARY KEY (workspace_id, product_id, other_product_id)
) WITH (fillfactor = 70);
-- Counts change with every order: no index on them (HOT updates); a product's pairs are one primary-key range.

-- The incoming webhook's signing secret, encrypted (AES-256-GCM, platform secrets); shown once at rotation.
CREATE TABLE commerce_webhook_secrets (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id),
  secret_encrypted text NOT NULL,
  secret_hint text NOT NULL,
  rotated_at timestamptz NOT NULL DEFAULT now(),
  rotated_by uuid
);
