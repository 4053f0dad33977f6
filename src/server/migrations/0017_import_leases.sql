-- Imports run under a lease (platform/db/job-lease.ts): the runner's token, its last heartbeat and the pg-boss job
-- meant to run the import, so a job whose runner died (a crash, a dead instance, a restored backup) is requeued
-- within seconds instead of after pg-boss's 15-minute expiry, and two runners never both commit.
ALTER TABLE import_jobs ADD COLUMN lease uuid, ADD COLUMN heartbeat_at timestamptz, ADD COLUMN queue_job_id uuid;
ALTER TABLE order_imports ADD COLUMN lease uuid, ADD COLUMN heartbeat_at timestamptz, ADD COLUMN queue_job_id uuid;

-- The sweep reads the unfinished imports of every workspace.
CREATE INDEX import_jobs_unfinished ON import_jobs (workspace_id, id) WHERE status IN ('queued', 'running');
CREATE INDEX order_imports_unfinished ON order_imports (workspace_id, id) WHERE status IN ('queued', 'running');
