import type { TokenScope } from '../../../shared/permissions.js';
import type { Actor } from '../../platform/actor.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import type { AccountsDb } from './accounts.db.js';
import { presentToken } from './accounts.presenter.js';
import { tokenRepo } from './accounts.repository.js';
import { invalidateActors } from './actor-cache.js';
import { hashSecret, newSecret } from './secrets.js';

export async function listTokens(options: { db: AccountsDb; actor: Actor }) {
  const { actor } = options;
  if (!actor.userId) return [];
  return (await tokenRepo.listForUser(options.db, actor.workspaceId, actor.userId)).map(presentToken);
}

/** The secret is returned once; only its hash is stored. */
export async function createToken(options: {
  db: AccountsDb;
  actor: Actor;
  name: string;
  scopes: TokenScope[];
  expiresInDays?: number | null;
}) {
  const { actor } = options;
  if (!actor.userId) throw new AppError('forbidden');
  if (options.scopes.includes('admin') && actor.role !== 'admin') throw new AppError('forbidden', { scope: 'admin' });
  // A token can mint tokens only as strong as itself: never a scope it does not hold.
  const beyond = actor.kind === 'token' ? options.scopes.filter((s) => !actor.scopes?.includes(s)) : [];
  if (beyond.length) throw new AppError('insufficient_scope', { required: beyond.join(',') });
  const secret = newSecret('crm_');
  const row = {
    workspace_id: actor.workspaceId,
    id: newId(),
    user_id: actor.userId,
    name: options.name,
    prefix: secret.slice(0, 10),
    scopes: [...new Set(options.scopes)],
    expires_at: options.expiresInDays ? new Date(Date.now() + options.expiresInDays * 86_400_000) : null,
    token_hash: hashSecret(secret),
  };
  await options.db.transaction().execute(async (trx) => {
    await tokenRepo.insert(trx, row);
    await recordChange(trx, actor, {
      audit: { action: 'api_token.created', entityType: 'api_token', entityId: row.id, after: { name: row.name, scopes: row.scopes } },
    });
  });
  return { token: secret, apiToken: presentToken({ ...row, last_used_at: null, revoked_at: null, created_at: new Date() }) };
}

/**
 * A user revokes their own token; an administrator may revoke anyone's, through an API token only with the admin
 * scope (the route needs `write`, which is not enough to act on other users).
 */
export async function revokeToken(options: { db: AccountsDb; actor: Actor; tokenId: string }) {
  const { actor } = options;
  const mayRevokeOthers = actor.role === 'admin' && (actor.kind !== 'token' || actor.scopes?.includes('admin') === true);
  await options.db.transaction().execute(async (trx) => {
    const t = await tokenRepo.find(trx, actor.workspaceId, options.tokenId);
    if (!t || (t.user_id !== actor.userId && !mayRevokeOthers)) throw new AppError('not_found');
    await tokenRepo.revoke(trx, actor.workspaceId, t.id);
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: { action: 'api_token.revoked', entityType: 'api_token', entityId: t.id, before: { name: t.name } },
    });
  });
}
