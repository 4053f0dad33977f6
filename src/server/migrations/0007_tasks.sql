-- Tasks and follow-ups (タスク), their links to customer records, and per-user notification preferences
-- (daily digest, reminder e-mail, time zone, calendar feed token).

CREATE TABLE tasks (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  description text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high')),
  due_at timestamptz,
  -- A due date without a time: due_at is the start of that day in the assignee's time zone.
  all_day boolean NOT NULL DEFAULT false,
  -- The assignee (担当者). Named owner_id so the platform visibility policy applies to tasks as to records.
  owner_id uuid,
  team_id uuid,
  remind_at timestamptz,
  reminded_at timestamptz,
  reminder_emailed_at timestamptz,
  rrule text,
  series_id uuid,
  series_start_at timestamptz,
  completed_at timestamptz,
  completed_by uuid,
  next_task_id uuid,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES users (workspace_id, id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id),
  CHECK (rrule IS NULL OR due_at IS NOT NULL)
);
-- "My tasks" buckets, the calendar and the feed: one assignee's tasks by due time (open and done: a calendar
-- month shows both; with an open-only index it fell back to scanning the workspace-wide tasks_due).
CREATE INDEX tasks_assignee_due ON tasks (workspace_id, owner_id, due_at, id) WHERE deleted_at IS NULL;
-- Done tasks, newest first.
CREATE INDEX tasks_assignee_done ON tasks (workspace_id, owner_id, completed_at DESC, id DESC) WHERE status = 'done' AND deleted_at IS NULL;
-- Workspace-wide lists and calendars by due time.
CREATE INDEX tasks_due ON tasks (workspace_id, due_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_trash ON tasks (workspace_id, deleted_at DESC, id) WHERE deleted_at IS NOT NULL;
-- The reminder sweep looks across workspaces (like outbox_pending): small, only reminders not yet sent.
CREATE INDEX tasks_reminders_due ON tasks (remind_at) WHERE reminded_at IS NULL AND status = 'open' AND deleted_at IS NULL;

-- The records a task is about. entity_type is polymorphic (person, company, later deal); the service checks
-- the record exists in the same workspace.
CREATE TABLE task_links (
  workspace_id uuid NOT NULL,
  task_id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company', 'deal')),
  entity_id uuid NOT NULL,
  PRIMARY KEY (workspace_id, task_id, entity_type, entity_id),
  FOREIGN KEY (workspace_id, task_id) REFERENCES tasks (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX task_links_entity ON task_links (workspace_id, entity_type, entity_id, task_id);

CREATE TABLE notification_preferences (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  -- NULL: the workspace's time zone.
  time_zone text,
  digest_enabled boolean NOT NULL DEFAULT false,
  digest_hour smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
  -- The local day the last digest was sent for: one digest a day even if the job runs twice.
  last_digest_on date,
  reminder_email boolean NOT NULL DEFAULT true,
  calendar_token_hash text,
  calendar_token_created_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
-- The public calendar feed finds its user by the token's hash alone (like sessions and API tokens).
CREATE UNIQUE INDEX notification_preferences_calendar_token ON notification_preferences (calendar_token_hash)
  WHERE calendar_token_hash IS NOT NULL;
CREATE INDEX notification_preferences_digest ON notification_preferences (workspace_id, user_id) WHERE digest_enabled;
