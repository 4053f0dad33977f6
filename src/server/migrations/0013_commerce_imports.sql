-- Commerce: order imports run as a background job. The uploaded file is kept in PostgreSQL (any instance can
-- run the job, a restart loses nothing), with the job's progress, its checkpoint and every rejected row.

CREATE TABLE order_imports (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  filename text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'tsv', 'xlsx')),
  encoding text NOT NULL CHECK (encoding IN ('utf8', 'cp932')),
  size_bytes bigint NOT NULL DEFAULT 0,
  header jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'queued', 'running', 'completed', 'failed')),
  -- Checkpoint: data rows [0, next_row) are committed, plus the ranges in done_ranges ([[from, to), ...]) that
  -- batches written in parallel committed ahead of the prefix. A resumed job skips both.
  next_row bigint NOT NULL DEFAULT 0,
  done_ranges jsonb NOT NULL DEFAULT '[]',
  bytes_done bigint NOT NULL DEFAULT 0,
  rows_total bigint,
  processed_count bigint NOT NULL DEFAULT 0,
  inserted_count bigint NOT NULL DEFAULT 0,
  skipped_count bigint NOT NULL DEFAULT 0,
  rejected_count bigint NOT NULL DEFAULT 0,
  -- Small files give every imported order its timeline entry (order.created events); big ones one event per batch.
  timeline boolean NOT NULL DEFAULT false,
  failure text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX order_imports_recent ON order_imports (workspace_id, created_at DESC);

-- The uploaded bytes in 1 MiB pieces, in order; deleted when the import completes.
CREATE TABLE order_import_files (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (workspace_id, import_id, seq),
  FOREIGN KEY (workspace_id, import_id) REFERENCES order_imports (workspace_id, id) ON DELETE CASCADE
);

-- Every rejected row: its spreadsheet row number (header = 1), its order number, its cells and the reason codes.
CREATE TABLE order_import_errors (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  row_number bigint NOT NULL,
  order_number text,
  cells jsonb NOT NULL,
  reasons jsonb NOT NULL,
  PRIMARY KEY (workspace_id, import_id, row_number),
  FOREIGN KEY (workspace_id, import_id) REFERENCES order_imports (workspace_id, id) ON DELETE CASCADE
);
