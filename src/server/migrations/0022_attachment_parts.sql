-- Attachment contents in PostgreSQL (issue 11, scale-out): any app instance serves a file another one received, and
-- a backup holds them with the rows. Numbered parts of about 1 MiB, like import uploads (import_files).
-- `storage` says where a row's bytes are: 'database' (attachment_parts) or 'disk' (ATTACHMENTS_STORAGE=disk, and
-- every file stored before this migration, moved into the database by the instance that has it when it starts).
ALTER TABLE attachments ADD COLUMN storage text NOT NULL DEFAULT 'disk' CHECK (storage IN ('database', 'disk'));
ALTER TABLE attachments ALTER COLUMN storage DROP DEFAULT;
CREATE INDEX attachments_on_disk ON attachments (workspace_id, id) WHERE storage = 'disk';

CREATE TABLE attachment_parts (
  workspace_id uuid NOT NULL,
  attachment_id uuid NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (workspace_id, attachment_id, seq),
  -- Deferred: the parts are written as the file arrives, the row (with its size and checksum) after them, in one transaction.
  FOREIGN KEY (workspace_id, attachment_id) REFERENCES attachments (workspace_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
-- Parts are about 1 MiB each: PostgreSQL would otherwise try to compress them (most files are already compressed).
ALTER TABLE attachment_parts ALTER COLUMN data SET STORAGE EXTERNAL;
