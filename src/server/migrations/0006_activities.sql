-- Activities (notes, calls, meetings, SMS/chat logs, form submissions), the timeline built from events,
-- attachments on local disk, and notifications. workspace_id leads every key and index (Citus-ready).

CREATE TABLE activities (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('note', 'call', 'meeting', 'sms', 'chat', 'form')),
  subject text,
  body text NOT NULL DEFAULT '',
  occurred_at timestamptz NOT NULL,
  -- call: direction, durationSeconds, outcome; meeting: attendees, place, startAt, endAt; sms/chat: direction
  details jsonb NOT NULL DEFAULT '{}',
  mentions uuid[] NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX activities_author ON activities (workspace_id, created_by, occurred_at DESC, id DESC);

-- The records an activity is about (a call with a person at a company: two links).
CREATE TABLE activity_links (
  workspace_id uuid NOT NULL,
  activity_id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company', 'deal', 'lead')),
  entity_id uuid NOT NULL,
  PRIMARY KEY (workspace_id, activity_id, entity_type, entity_id),
  FOREIGN KEY (workspace_id, activity_id) REFERENCES activities (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX activity_links_entity ON activity_links (workspace_id, entity_type, entity_id);

-- Read model built by the timeline consumer from outbox events; never written by a module directly.
-- One row per (event, record); a person's entries are also written for their current company (via_*).
CREATE TABLE timeline_entries (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  entity_type text NOT NULL,
  entity_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  kind text NOT NULL,
  actor_id uuid,
  source_type text,
  source_id uuid,
  event_id uuid NOT NULL,
  -- false for the copies of one event on its other records (extra links, roll-up): the team feed shows an event once
  is_primary boolean NOT NULL DEFAULT true,
  -- the person an entry on a company came through (roll-up)
  via_type text,
  via_id uuid,
  -- owner and team of the record the entry is on, kept current by the consumer, for visibility in the feed
  owner_id uuid,
  team_id uuid,
  summary jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, event_id, entity_type, entity_id)
);
CREATE INDEX timeline_entity ON timeline_entries (workspace_id, entity_type, entity_id, occurred_at DESC, id DESC);
CREATE INDEX timeline_entity_kind ON timeline_entries (workspace_id, entity_type, entity_id, kind, occurred_at DESC, id DESC);
CREATE INDEX timeline_entity_actor ON timeline_entries (workspace_id, entity_type, entity_id, actor_id, occurred_at DESC, id DESC);
CREATE INDEX timeline_feed ON timeline_entries (workspace_id, occurred_at DESC, id DESC) WHERE is_primary;
CREATE INDEX timeline_feed_actor ON timeline_entries (workspace_id, actor_id, occurred_at DESC, id DESC) WHERE is_primary;
CREATE INDEX timeline_feed_kind ON timeline_entries (workspace_id, kind, occurred_at DESC, id DESC) WHERE is_primary;
CREATE INDEX timeline_source ON timeline_entries (workspace_id, source_type, source_id);
CREATE INDEX timeline_via ON timeline_entries (workspace_id, via_id) WHERE via_id IS NOT NULL;

-- Files on local disk (ATTACHMENTS_DIR/<workspace>/<id>); the row holds what the download needs.
CREATE TABLE attachments (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  owner_type text NOT NULL CHECK (owner_type IN ('activity', 'email')),
  owner_id uuid NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX attachments_owner ON attachments (workspace_id, owner_type, owner_id);

CREATE TABLE notifications (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}',
  link text,
  actor_id uuid,
  event_id uuid NOT NULL,
  read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, event_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_user ON notifications (workspace_id, user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (workspace_id, user_id) WHERE read_at IS NULL;
