-- Customers data quality and privacy: duplicate review queue and scans, merge bookkeeping,
-- purposes of use (利用目的) and privacy requests (APPI 開示・削除等の請求).

-- UUID v7 made in SQL, for rows inserted set-wise (duplicate scans); same layout as the app's ids.
CREATE FUNCTION crm_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

-- A merged record goes to the trash pointing at the record it was merged into.
ALTER TABLE people ADD COLUMN merged_into uuid;
ALTER TABLE companies ADD COLUMN merged_into uuid;
-- Set when a person's personal data was erased on request (the row stays as an anonymous shell).
ALTER TABLE people ADD COLUMN erased_at timestamptz;
CREATE INDEX people_merged_into ON people (workspace_id, merged_into) WHERE merged_into IS NOT NULL;

-- Suspected duplicate pairs, stored once per pair in canonical order (a_id < b_id).
CREATE TABLE duplicate_pairs (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company')),
  a_id uuid NOT NULL,
  b_id uuid NOT NULL,
  reasons text[] NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by uuid,
  PRIMARY KEY (workspace_id, id),
  CHECK (a_id < b_id)
);
CREATE UNIQUE INDEX duplicate_pairs_pair ON duplicate_pairs (workspace_id, entity_type, a_id, b_id);
CREATE INDEX duplicate_pairs_b ON duplicate_pairs (workspace_id, entity_type, b_id);
-- Newest first by id (UUID v7 is time-ordered): exact keyset paging without timestamp precision issues.
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (workspace_id, entity_type, status, id DESC);

-- Whole-workspace duplicate scans (run as a background job), with progress.
CREATE TABLE duplicate_scans (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  steps_total integer NOT NULL DEFAULT 0,
  steps_done integer NOT NULL DEFAULT 0,
  pairs_found integer NOT NULL DEFAULT 0,
  trigger text NOT NULL DEFAULT 'manual',
  error text,
  requested_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX duplicate_scans_time ON duplicate_scans (workspace_id, created_at DESC);

-- Purposes of use (利用目的) notified to or agreed by a person, with their history.
CREATE TABLE person_purposes (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  person_id uuid NOT NULL,
  purpose text NOT NULL,
  status text NOT NULL CHECK (status IN ('agreed', 'notified', 'withdrawn')),
  method text NOT NULL,
  wording text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX person_purposes_person ON person_purposes (workspace_id, person_id, recorded_at DESC);

-- Requests by a person about their data: disclosure (export), erasure, correction.
CREATE TABLE privacy_requests (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('export', 'erasure', 'correction')),
  person_id uuid NOT NULL,
  requested_at timestamptz NOT NULL,
  completed_at timestamptz,
  handled_by uuid,
  reference text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);

CREATE INDEX privacy_requests_person ON privacy_requests (workspace_id, person_id);
