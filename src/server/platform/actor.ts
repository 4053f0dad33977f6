import type { Locale } from '../../shared/errors.js';
import type { Role, TokenScope, Visibility } from '../../shared/permissions.js';

/** Who is acting: a signed-in user, a user's API token, or the system itself (jobs, CLI). */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  workspaceId: string;
  userId: string | null;
  role: Role;
  teamIds: string[];
  /**
   * Users who share a team with the actor, the actor included, when its visibility is `team` (empty otherwise:
   * they grant nothing then). Resolved with the actor, so record policies need no query of their own.
   */
  teammateIds: string[];
  visibility: Visibility;
  locale: Locale;
  scopes?: TokenScope[];
  sessionId?: string;
  csrfToken?: string;
  ip?: string;
}

export function systemActor(workspaceId: string): Actor {
  return { kind: 'system', workspaceId, userId: null, role: 'admin', teamIds: [], teammateIds: [], visibility: 'all', locale: 'ja' };
}
