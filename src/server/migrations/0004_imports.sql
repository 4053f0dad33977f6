-- Customers import: uploaded files kept in PostgreSQL (any instance can run the job, a restart loses nothing),
-- the job's progress and checkpoint, every rejected row, and saved column mappings.

CREATE TABLE import_jobs (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company')),
  filename text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'tsv', 'xlsx', 'vcf')),
  encoding text NOT NULL CHECK (encoding IN ('utf8', 'cp932')),
  detected_encoding text NOT NULL,
  size_bytes bigint NOT NULL DEFAULT 0,
  header jsonb NOT NULL DEFAULT '[]',
  mapping jsonb,
  mode text CHECK (mode IN ('create', 'update_matching', 'skip_duplicates')),
  match_on text CHECK (match_on IN ('email', 'phone', 'id')),
  status text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploading', 'uploaded', 'queued', 'running', 'completed', 'failed')),
  -- Checkpoint: data rows (after the header) already committed; a resumed job skips them.
  next_row bigint NOT NULL DEFAULT 0,
  bytes_done bigint NOT NULL DEFAULT 0,
  rows_total bigint,
  created_count bigint NOT NULL DEFAULT 0,
  updated_count bigint NOT NULL DEFAULT 0,
  skipped_count bigint NOT NULL DEFAULT 0,
  rejected_count bigint NOT NULL DEFAULT 0,
  companies_created bigint NOT NULL DEFAULT 0,
  failure text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX import_jobs_recent ON import_jobs (workspace_id, created_at DESC);

-- The uploaded bytes in 1 MiB pieces, in order.
CREATE TABLE import_files (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (workspace_id, import_id, seq),
  FOREIGN KEY (workspace_id, import_id) REFERENCES import_jobs (workspace_id, id) ON DELETE CASCADE
);

-- Every rejected row: its number in the file (1 = first data row), its original cells and the reasons.
CREATE TABLE import_errors (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  row_number bigint NOT NULL,
  cells jsonb NOT NULL,
  reasons jsonb NOT NULL,
  PRIMARY KEY (workspace_id, import_id, row_number),
  FOREIGN KEY (workspace_id, import_id) REFERENCES import_jobs (workspace_id, id) ON DELETE CASCADE
);

-- Saved mappings: header text -> field, reused when a file with the same headers comes again.
CREATE TABLE import_mappings (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company')),
  name text NOT NULL,
  mapping jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX import_mappings_name ON import_mappings (workspace_id, entity_type, name);
