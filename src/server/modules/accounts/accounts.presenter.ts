import { defaultVisibility } from '../../../shared/permissions.js';
import type { ApiTokenRow, InvitationRow, TeamRow, UserRow, WorkspaceRow } from './accounts.repository.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentWorkspace(w: WorkspaceRow) {
  return {
    id: w.id,
    name: w.name,
    timeZone: w.time_zone,
    locale: w.locale,
    currency: w.currency,
    visibility: { ...defaultVisibility, ...w.settings.visibility },
    requireTwoFactor: w.settings.requireTwoFactor === true,
    version: w.version,
    createdAt: w.created_at.toISOString(),
    updatedAt: w.updated_at.toISOString(),
  };
}

export function presentUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    locale: u.locale,
    theme: u.theme,
    status: u.status,
    teamIds: u.team_ids,
    lastLoginAt: iso(u.last_login_at),
    twoFactorEnabled: !!u.totp_enabled_at,
    lockedUntil: iso(u.locked_until),
    version: u.version,
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
  };
}

export function presentTeam(t: TeamRow) {
  return { id: t.id, name: t.name, memberIds: t.member_ids, version: t.version, createdAt: t.created_at.toISOString() };
}

export function presentToken(t: ApiTokenRow) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    expiresAt: iso(t.expires_at),
    lastUsedAt: iso(t.last_used_at),
    revokedAt: iso(t.revoked_at),
    createdAt: t.created_at.toISOString(),
  };
}

export function presentInvitation(i: InvitationRow) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    teamId: i.team_id,
    expiresAt: i.expires_at.toISOString(),
    createdAt: i.created_at.toISOString(),
  };
}
