import type { Locale } from '../../shared/errors.js';
import type { Role, TokenScope, Visibility } from '../../shared/permissions.js';

/** Who is acting: a signed-in user, a user's API token, or the system itself (jobs, CLI). */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  workspaceId: string;
  userId: string | null;
  role: Role;
  teamIds: string[];
  visibility: Visibility;
  locale: Locale;
  scopes?: TokenScope[];
  sessionId?: string;
  csrfToken?: string;
  ip?: string;
}

export function systemActor(workspaceId: string): Actor {
  return { kind: 'system', workspaceId, userId: null, role: 'admin', teamIds: [], visibility: 'all', locale: 'ja' };
}
