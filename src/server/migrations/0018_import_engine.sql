-- One import engine (platform/import): the customers import's tables become the platform's and hold every kind
-- of import. What only one kind needs moves into `options` (chosen before the run: mapping, mode, entity type,
-- timeline) and `counts` (its own tallies); the checkpoint is the prefix `next_row` plus `done_ranges` (batches
-- written in parallel that committed ahead of it). The order imports move in with their files and rejected rows.

ALTER TABLE import_jobs
  ADD COLUMN kind text NOT NULL DEFAULT 'customers',
  ADD COLUMN options jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN counts jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN done_ranges jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN processed_count bigint NOT NULL DEFAULT 0;

UPDATE import_jobs SET
  options = jsonb_strip_nulls(jsonb_build_object('entityType', entity_type, 'detectedEncoding', detected_encoding,
    'mapping', mapping, 'mode', mode, 'matchOn', match_on)),
  counts = jsonb_build_object('created', created_count, 'updated', updated_count, 'skipped', skipped_count,
    'companiesCreated', companies_created),
  processed_count = next_row;

ALTER TABLE import_jobs
  DROP COLUMN entity_type, DROP COLUMN detected_encoding, DROP COLUMN mapping, DROP COLUMN mode, DROP COLUMN match_on,
  DROP COLUMN created_count, DROP COLUMN updated_count, DROP COLUMN skipped_count, DROP COLUMN companies_created,
  ALTER COLUMN kind DROP DEFAULT,
  ALTER COLUMN status SET DEFAULT 'uploading';

-- A rejected row's key in its file (an order number), where the kind has one.
ALTER TABLE import_errors ADD COLUMN row_key text;

INSERT INTO import_jobs (workspace_id, id, kind, filename, format, encoding, size_bytes, header, status, next_row, done_ranges,
    bytes_done, rows_total, processed_count, rejected_count, options, counts, failure, created_at, created_by, started_at,
    finished_at, updated_at, lease, heartbeat_at, queue_job_id)
  SELECT workspace_id, id, 'orders', filename, format, encoding, size_bytes, header, status, next_row, done_ranges,
    bytes_done, rows_total, processed_count, rejected_count, jsonb_build_object('timeline', timeline),
    jsonb_build_object('inserted', inserted_count, 'skipped', skipped_count), failure, created_at, created_by, started_at,
    finished_at, updated_at, lease, heartbeat_at, queue_job_id
  FROM order_imports;
INSERT INTO import_files (workspace_id, import_id, seq, data) SELECT workspace_id, import_id, seq, data FROM order_import_files;
INSERT INTO import_errors (workspace_id, import_id, row_number, row_key, cells, reasons)
  SELECT workspace_id, import_id, row_number, order_number, cells, reasons FROM order_import_errors;
DROP TABLE order_import_errors, order_import_files, order_imports;

-- The list of recent imports shows one kind at a time.
DROP INDEX import_jobs_recent;
CREATE INDEX import_jobs_recent ON import_jobs (workspace_id, kind, created_at DESC);

-- One retention sweep for every kind now (queue imports-sweep): the two per-module schedules go.
DO $$
BEGIN
  IF to_regclass('pgboss.schedule') IS NOT NULL THEN
    DELETE FROM pgboss.schedule WHERE name IN ('customers-import-sweep', 'commerce-order-import-sweep');
  END IF;
END $$;
