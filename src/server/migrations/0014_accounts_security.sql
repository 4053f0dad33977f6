-- Sign-in security: throttling that cannot lock the real user out, known devices, two-factor (TOTP)
-- sign-in with recovery codes, and sign-in challenges between the password and the second factor.

-- Throttle keys now say what they count (see accounts/throttle.ts): 'ip:<address>', 'acct:<email>',
-- 'acctip:<email>|<address>', 'dev:<device id>', 'totp:<user id>'. The old keys (a bare email) go.
DELETE FROM login_throttle;
ALTER TABLE login_throttle ADD COLUMN window_start timestamptz NOT NULL DEFAULT now();

-- A browser where the user signed in before (a long-lived HttpOnly cookie holds the secret; its hash here).
-- Its correct password is still accepted while the account is under attack from elsewhere.
CREATE TABLE known_devices (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX known_devices_token_uq ON known_devices (token_hash);
CREATE INDEX known_devices_user ON known_devices (workspace_id, user_id);

-- TOTP secrets are encrypted at rest with the instance's secret key (platform/crypto.ts).
-- totp_last_step: the time step of the last accepted code, so a code is never accepted twice.
ALTER TABLE users
  ADD COLUMN totp_secret text,
  ADD COLUMN totp_pending_secret text,
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_step bigint;

-- One-time recovery codes (80 random bits each), stored as SHA-256 hashes.
CREATE TABLE recovery_codes (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  code_hash text NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id, code_hash),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);

-- After a correct password, the second step of a sign-in: enter a code ('totp') or enrol first ('enrol').
CREATE TABLE login_challenges (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('totp', 'enrol')),
  remember boolean NOT NULL DEFAULT false,
  attempts integer NOT NULL DEFAULT 0,
  pending_secret text,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX login_challenges_token_uq ON login_challenges (token_hash);
