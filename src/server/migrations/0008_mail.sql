-- Email: per-workspace SMTP/IMAP settings and inbound address, messages (in and out), their links to
-- people, templates with merge fields, and the review list of mail from unknown senders.

CREATE TABLE mail_settings (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  -- <inbound_token>@<any host> in RCPT TO routes an inbound message to this workspace.
  inbound_token text NOT NULL,
  smtp_host text,
  smtp_port integer CHECK (smtp_port BETWEEN 1 AND 65535),
  smtp_security text NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('none', 'starttls', 'tls')),
  smtp_user text,
  smtp_password_enc text,
  from_address text,
  from_name text,
  imap_enabled boolean NOT NULL DEFAULT false,
  imap_host text,
  imap_port integer CHECK (imap_port BETWEEN 1 AND 65535),
  imap_tls boolean NOT NULL DEFAULT true,
  imap_user text,
  imap_password_enc text,
  imap_mailbox text NOT NULL DEFAULT 'INBOX',
  imap_uid_validity bigint,
  imap_last_uid bigint,
  imap_last_polled_at timestamptz,
  imap_last_error text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id)
);
CREATE UNIQUE INDEX mail_settings_inbound_token_uq ON mail_settings (inbound_token);
CREATE INDEX mail_settings_imap ON mail_settings (workspace_id) WHERE imap_enabled;

CREATE TABLE email_messages (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  -- The id of the first message of the conversation (itself when it starts one).
  thread_id uuid NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  source text NOT NULL CHECK (source IN ('compose', 'smtp', 'imap', 'system')),
  message_id text NOT NULL,
  in_reply_to text,
  refs text[] NOT NULL DEFAULT '{}',
  subject text NOT NULL DEFAULT '',
  from_address text NOT NULL,
  from_name text,
  to_addresses jsonb NOT NULL DEFAULT '[]',
  cc_addresses jsonb NOT NULL DEFAULT '[]',
  headers jsonb NOT NULL DEFAULT '{}',
  text_body text,
  -- Sanitised on the way in: never the sender's raw HTML.
  html_body text,
  has_remote_images boolean NOT NULL DEFAULT false,
  snippet text NOT NULL DEFAULT '',
  size_bytes integer NOT NULL DEFAULT 0,
  attachment_count integer NOT NULL DEFAULT 0,
  sent_at timestamptz NOT NULL,
  -- 'pending': nobody known among the senders; shown in the review list until linked or dismissed.
  review_state text NOT NULL DEFAULT 'none' CHECK (review_state IN ('none', 'pending', 'linked', 'dismissed')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id)
);
-- A message seen twice (BCC and IMAP, a retried delivery) is stored once.
CREATE UNIQUE INDEX email_messages_message_id_uq ON email_messages (workspace_id, message_id);
CREATE INDEX email_messages_thread ON email_messages (workspace_id, thread_id, sent_at, id);
CREATE INDEX email_messages_review ON email_messages (workspace_id, created_at DESC, id DESC) WHERE review_state = 'pending';
CREATE INDEX email_messages_from ON email_messages (workspace_id, lower(from_address)) WHERE review_state = 'pending';

CREATE TABLE email_links (
  workspace_id uuid NOT NULL,
  email_id uuid NOT NULL,
  person_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('from', 'to', 'cc')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, email_id, person_id, role),
  FOREIGN KEY (workspace_id, email_id) REFERENCES email_messages (workspace_id, id),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX email_links_person ON email_links (workspace_id, person_id, email_id DESC);

CREATE TABLE email_templates (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  name text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX email_templates_name_uq ON email_templates (workspace_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX email_templates_sort ON email_templates (workspace_id, lower(name), id) WHERE deleted_at IS NULL;
