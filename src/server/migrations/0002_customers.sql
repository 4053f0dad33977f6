-- Customers: companies (法人), people (個人), where people work, consent, custom fields, saved views.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE companies (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  name text NOT NULL,
  name_kana text,
  corporate_number text CHECK (corporate_number ~ '^[0-9]{13}$'),
  industry text,
  employee_count integer CHECK (employee_count >= 0),
  fiscal_month smallint CHECK (fiscal_month BETWEEN 1 AND 12),
  website text,
  emails jsonb NOT NULL DEFAULT '[]',
  phones jsonb NOT NULL DEFAULT '[]',
  postal_code text,
  prefecture text,
  city text,
  town text,
  address_line text,
  parent_id uuid,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  notes text,
  name_key text NOT NULL,
  sort_key text NOT NULL,
  search_text text NOT NULL,
  search_bigrams text[] NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, parent_id) REFERENCES companies (workspace_id, id)
);
CREATE INDEX companies_sort ON companies (workspace_id, sort_key, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_updated ON companies (workspace_id, updated_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_name_key ON companies (workspace_id, name_key);
CREATE INDEX companies_parent ON companies (workspace_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX companies_bigrams ON companies USING gin (workspace_id, search_bigrams);
CREATE INDEX companies_trgm ON companies USING gin (workspace_id, search_text gin_trgm_ops);
CREATE INDEX companies_corporate_number ON companies (workspace_id, corporate_number) WHERE corporate_number IS NOT NULL;

CREATE TABLE departments (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  company_id uuid NOT NULL,
  parent_id uuid,
  name text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id),
  FOREIGN KEY (workspace_id, parent_id) REFERENCES departments (workspace_id, id)
);
CREATE INDEX departments_company ON departments (workspace_id, company_id);

CREATE TABLE people (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  family_name text NOT NULL,
  given_name text,
  family_name_kana text,
  given_name_kana text,
  emails jsonb NOT NULL DEFAULT '[]',
  phones jsonb NOT NULL DEFAULT '[]',
  postal_code text,
  prefecture text,
  city text,
  town text,
  address_line text,
  birthday date,
  gender text CHECK (gender IN ('female', 'male', 'other', 'unspecified')),
  household jsonb NOT NULL DEFAULT '[]',
  preferences text,
  email_permission text NOT NULL DEFAULT 'unknown' CHECK (email_permission IN ('unknown', 'granted', 'withdrawn')),
  dm_permission text NOT NULL DEFAULT 'unknown' CHECK (dm_permission IN ('unknown', 'granted', 'withdrawn')),
  company_id uuid,
  department_id uuid,
  title text,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  notes text,
  name_key text NOT NULL,
  kana_key text,
  sort_key text NOT NULL,
  search_text text NOT NULL,
  search_bigrams text[] NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  deleted_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id),
  FOREIGN KEY (workspace_id, department_id) REFERENCES departments (workspace_id, id)
);
CREATE INDEX people_sort ON people (workspace_id, sort_key, id) WHERE deleted_at IS NULL;
CREATE INDEX people_updated ON people (workspace_id, updated_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX people_created ON people (workspace_id, created_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX people_company ON people (workspace_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX people_owner ON people (workspace_id, owner_id);
CREATE INDEX people_prefecture ON people (workspace_id, prefecture, sort_key) WHERE deleted_at IS NULL;
CREATE INDEX people_name_key ON people (workspace_id, name_key);
CREATE INDEX people_kana_key ON people (workspace_id, kana_key) WHERE kana_key IS NOT NULL;
CREATE INDEX people_tags ON people USING gin (workspace_id, tags);
CREATE INDEX people_bigrams ON people USING gin (workspace_id, search_bigrams);
CREATE INDEX people_trgm ON people USING gin (workspace_id, search_text gin_trgm_ops);

-- Normalised emails (lower case) and phones (E.164) of people and companies: dedup and reverse lookup.
CREATE TABLE contact_points (
  workspace_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('email', 'phone')),
  value text NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company')),
  entity_id uuid NOT NULL,
  PRIMARY KEY (workspace_id, kind, value, entity_type, entity_id)
);
CREATE INDEX contact_points_entity ON contact_points (workspace_id, entity_type, entity_id);

-- Where a person works and has worked (職歴): the current row has no end date.
CREATE TABLE employments (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  person_id uuid NOT NULL,
  company_id uuid NOT NULL,
  department_id uuid,
  title text,
  started_on date,
  ended_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES companies (workspace_id, id)
);
CREATE INDEX employments_person ON employments (workspace_id, person_id, started_on DESC);
CREATE INDEX employments_company ON employments (workspace_id, company_id);

-- Consent records (特定電子メール法, APPI): every grant and withdrawal, with how and what wording.
CREATE TABLE consents (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  person_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'dm', 'phone', 'sms')),
  status text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
  purpose text,
  method text NOT NULL,
  wording text,
  source text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX consents_person ON consents (workspace_id, person_id, recorded_at DESC);

CREATE TABLE custom_field_defs (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('person', 'company')),
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  type text NOT NULL,
  label_ja text NOT NULL,
  label_en text NOT NULL,
  help_ja text,
  help_en text,
  required boolean NOT NULL DEFAULT false,
  default_value jsonb,
  options jsonb NOT NULL DEFAULT '[]',
  position integer NOT NULL DEFAULT 0,
  archived_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX custom_field_defs_key ON custom_field_defs (workspace_id, entity_type, key);

CREATE TABLE saved_views (
  workspace_id uuid NOT NULL REFERENCES workspaces (id),
  id uuid NOT NULL,
  entity_type text NOT NULL,
  name text NOT NULL,
  owner_id uuid NOT NULL,
  shared boolean NOT NULL DEFAULT false,
  filter jsonb,
  sort jsonb NOT NULL DEFAULT '[]',
  columns text[] NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX saved_views_owner ON saved_views (workspace_id, entity_type, owner_id);
