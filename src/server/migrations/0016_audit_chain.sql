-- A hash chain over the audit trail, per workspace: each sealed row carries the hash of the one before it, so a
-- changed or deleted row breaks the chain (`crm audit verify`). Rows are sealed shortly after they commit, by a
-- background pass, so writing an audit row takes no lock shared with other writers.
ALTER TABLE audit_log
  ADD COLUMN seq bigint,
  -- sha256 of the before/after values: kept when APPI erasure scrubs those values, so the chain stays whole.
  ADD COLUMN content_digest bytea,
  ADD COLUMN hash bytea;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (workspace_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX audit_log_unsealed ON audit_log (workspace_id, created_at, id) WHERE seq IS NULL;

-- The end of each workspace's chain: the last sealed row. A deleted tail shows as a head the rows do not reach.
CREATE TABLE audit_chain_heads (
  workspace_id uuid PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now()
);
