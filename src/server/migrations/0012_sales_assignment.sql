-- Assignment rules for new leads and deals, their history, and escalation of unanswered leads.
-- workspace_id leads every key and index (Citus-ready).

-- Territory and segment conditions need these on the lead itself (a lead has no company record yet).
ALTER TABLE leads ADD COLUMN prefecture text;
ALTER TABLE leads ADD COLUMN industry text;
ALTER TABLE leads ADD COLUMN employee_count integer CHECK (employee_count >= 0);

CREATE TABLE assignment_rules (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  object_type text NOT NULL CHECK (object_type IN ('lead', 'deal')),
  name text NOT NULL CHECK (name <> ''),
  position integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  -- the shared filter language, compiled against the lead / deal field catalogue; null = every record
  conditions jsonb,
  method text NOT NULL CHECK (method IN ('round_robin', 'user', 'territory', 'least_loaded')),
  team_id uuid,
  user_id uuid,
  -- territory: [{ prefectures: ['東京都', ...], userId }]
  territories jsonb NOT NULL DEFAULT '[]',
  -- round robin: the last user this rule assigned to (the next one is the following member in id order)
  rr_last_user_id uuid,
  escalation_target text NOT NULL DEFAULT 'team_managers' CHECK (escalation_target IN ('none', 'team_managers', 'user')),
  escalation_user_id uuid,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id, id),
  -- a removed team or user leaves the rule without an assignee (it then matches nothing), never blocks the removal
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE SET NULL (user_id),
  FOREIGN KEY (workspace_id, escalation_user_id) REFERENCES users (workspace_id, id) ON DELETE SET NULL (escalation_user_id)
);
CREATE INDEX assignment_rules_order ON assignment_rules (workspace_id, object_type, position, id);

-- Every automatic assignment (by a rule on create, or by an escalation), newest last.
CREATE TABLE record_assignments (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('lead', 'deal')),
  entity_id uuid NOT NULL,
  rule_id uuid,
  rule_name text NOT NULL,
  method text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('rule', 'escalation')),
  user_id uuid NOT NULL,
  previous_user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX record_assignments_entity ON record_assignments (workspace_id, entity_type, entity_id, created_at);

-- A lead assigned by a rule waits for its first touch (an activity or a status change); escalates once.
CREATE TABLE lead_response_watch (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  lead_id uuid NOT NULL,
  rule_id uuid,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  contacted_at timestamptz,
  escalated_at timestamptz,
  PRIMARY KEY (workspace_id, lead_id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id)
);
-- the sweep's scan: only leads still waiting
CREATE INDEX lead_response_watch_open ON lead_response_watch (assigned_at, workspace_id, lead_id)
  WHERE contacted_at IS NULL AND escalated_at IS NULL;

CREATE TABLE assignment_settings (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  escalation_enabled boolean NOT NULL DEFAULT false,
  escalation_minutes integer NOT NULL DEFAULT 60 CHECK (escalation_minutes BETWEEN 1 AND 43200),
  reassign_on_escalation boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id)
);
