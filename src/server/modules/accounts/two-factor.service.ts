import type { Actor } from '../../platform/actor.js';
import { decryptSecret, encryptSecret } from '../../platform/crypto.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import type { AccountsDb, AccountsTx } from './accounts.db.js';
import { userRepo, workspaceRepo } from './accounts.repository.js';
import { invalidateActors } from './actor-cache.js';
import { verifyPassword } from './secrets.js';
import { recoveryCodeRepo, totpRepo } from './security.repository.js';
import { codeBlocked, recordCodeFailure, throttleKeys } from './sign-in-throttle.js';
import { throttleRepo } from './throttle.repository.js';
import { hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, qrCodeDataUrl, totpUri } from './totp.js';

/** Two-factor sign-in with an authenticator app (TOTP) and one-time recovery codes. `key` encrypts secrets at rest. */

function selfOf(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId) throw new AppError('forbidden');
  return actor.userId;
}

export async function workspaceRequiresTwoFactor(db: AccountsDb, workspaceId: string): Promise<boolean> {
  return (await workspaceRepo.find(db, workspaceId))?.settings.requireTwoFactor === true;
}

export async function getSecurityStatus(options: { db: AccountsDb; actor: Actor }) {
  const { actor } = options;
  const userId = selfOf(actor);
  const row = await totpRepo.find(options.db, actor.workspaceId, userId);
  if (!row) throw new AppError('not_found');
  return {
    twoFactorEnabled: !!row.totp_secret,
    twoFactorEnabledAt: row.totp_enabled_at?.toISOString() ?? null,
    recoveryCodesLeft: row.totp_secret ? await recoveryCodeRepo.countUnused(options.db, actor.workspaceId, userId) : 0,
    twoFactorRequired: await workspaceRequiresTwoFactor(options.db, actor.workspaceId),
  };
}

/** A fresh secret for the app; held (encrypted) until confirmed with a code from it. */
export async function newTotpEnrolment(db: AccountsDb, key: Buffer, workspaceId: string, email: string) {
  const secret = newTotpSecret();
  const workspace = await workspaceRepo.find(db, workspaceId);
  const uri = totpUri(secret, workspace ? `CRM (${workspace.name})` : 'CRM', email);
  return { secret, sealed: encryptSecret(key, secret), setup: { secret, uri, qrCode: await qrCodeDataUrl(uri) } };
}

export async function startTotpSetup(options: { db: AccountsDb; key: Buffer; actor: Actor }) {
  const { actor } = options;
  const userId = selfOf(actor);
  const row = await totpRepo.find(options.db, actor.workspaceId, userId);
  if (!row) throw new AppError('not_found');
  if (row.totp_secret) throw new AppError('two_factor_state', { enabled: true });
  const { sealed, setup } = await newTotpEnrolment(options.db, options.key, actor.workspaceId, row.email);
  await totpRepo.setPending(options.db, actor.workspaceId, userId, sealed);
  return setup;
}

/** Turn two-factor on with the secret just confirmed; returns the recovery codes, shown once. */
export async function enableTotp(trx: AccountsTx, actor: Actor, userId: string, sealed: string, step: number) {
  const codes = newRecoveryCodes();
  await totpRepo.enable(trx, actor.workspaceId, userId, sealed, step);
  await recoveryCodeRepo.replace(trx, actor.workspaceId, userId, codes.map(hashRecoveryCode));
  await recordChange(trx, actor, {
    audit: { action: 'user.two_factor_enabled', entityType: 'user', entityId: userId },
    event: { type: 'user.updated', entityType: 'user', entityId: userId },
  });
  return codes;
}

export async function confirmTotpSetup(options: { db: AccountsDb; key: Buffer; actor: Actor; code: string }) {
  const { actor } = options;
  const userId = selfOf(actor);
  if (await codeBlocked(options.db, userId)) throw new AppError('too_many_attempts');
  const row = await totpRepo.find(options.db, actor.workspaceId, userId);
  if (!row) throw new AppError('not_found');
  if (row.totp_secret || !row.totp_pending_secret) throw new AppError('two_factor_state', { enabled: !!row.totp_secret });
  const sealed = row.totp_pending_secret;
  const step = matchTotp(decryptSecret(options.key, sealed), options.code);
  if (step === null) {
    await recordCodeFailure(options.db, userId);
    throw new AppError('otp_invalid');
  }
  const recoveryCodes = await options.db.transaction().execute((trx) => enableTotp(trx, actor, userId, sealed, step));
  return { recoveryCodes };
}

/**
 * Check a second factor of an enrolled user: a current code not used before (its time step is claimed, so
 * a replay within the window fails) or an unused recovery code (used up). Failures count towards a lock.
 */
export async function verifySecondFactor(options: {
  db: AccountsDb;
  key: Buffer;
  workspaceId: string;
  userId: string;
  code?: string;
  recoveryCode?: string;
}): Promise<'code' | 'recovery_code'> {
  const { db, workspaceId, userId } = options;
  if (await codeBlocked(db, userId)) throw new AppError('too_many_attempts');
  const row = await totpRepo.find(db, workspaceId, userId);
  if (!row?.totp_secret) throw new AppError('two_factor_state', { enabled: false });
  let ok = false;
  if (options.code) {
    const step = matchTotp(decryptSecret(options.key, row.totp_secret), options.code);
    ok = step !== null && (await totpRepo.claimStep(db, workspaceId, userId, step));
  } else if (options.recoveryCode) {
    ok = await recoveryCodeRepo.use(db, workspaceId, userId, hashRecoveryCode(options.recoveryCode));
  }
  if (!ok) {
    await recordCodeFailure(db, userId);
    if (await codeBlocked(db, userId)) throw new AppError('too_many_attempts');
    throw new AppError('otp_invalid');
  }
  await throttleRepo.clear(db, [throttleKeys.code(userId)]);
  return options.code ? 'code' : 'recovery_code';
}

async function checkPassword(db: AccountsDb, actor: Actor, userId: string, password: string) {
  const user = await userRepo.find(db, actor.workspaceId, userId);
  if (!user) throw new AppError('not_found');
  if (!(await verifyPassword(user.password_hash, password))) {
    await recordCodeFailure(db, userId);
    throw new AppError('wrong_password');
  }
}

/** Turning two-factor off takes the password and a second factor: a borrowed session alone cannot. */
export async function disableTotp(options: {
  db: AccountsDb;
  key: Buffer;
  actor: Actor;
  password: string;
  code?: string;
  recoveryCode?: string;
}) {
  const { actor } = options;
  const userId = selfOf(actor);
  if (await codeBlocked(options.db, userId)) throw new AppError('too_many_attempts');
  await checkPassword(options.db, actor, userId, options.password);
  // Outside the transaction: a failed code must stay counted.
  await verifySecondFactor({ ...options, workspaceId: actor.workspaceId, userId });
  await options.db.transaction().execute(async (trx) => {
    await totpRepo.disable(trx, actor.workspaceId, userId);
    await recoveryCodeRepo.removeForUser(trx, actor.workspaceId, userId);
    await invalidateActors(trx, actor.workspaceId);
    await recordChange(trx, actor, {
      audit: { action: 'user.two_factor_disabled', entityType: 'user', entityId: userId },
      event: { type: 'user.updated', entityType: 'user', entityId: userId },
    });
  });
}

/** New recovery codes (the old ones stop working), again with the password and a current code. */
export async function regenerateRecoveryCodes(options: { db: AccountsDb; key: Buffer; actor: Actor; password: string; code: string }) {
  const { actor } = options;
  const userId = selfOf(actor);
  if (await codeBlocked(options.db, userId)) throw new AppError('too_many_attempts');
  await checkPassword(options.db, actor, userId, options.password);
  const codes = newRecoveryCodes();
  await verifySecondFactor({ ...options, workspaceId: actor.workspaceId, userId });
  await options.db.transaction().execute(async (trx) => {
    await recoveryCodeRepo.replace(trx, actor.workspaceId, userId, codes.map(hashRecoveryCode));
    await recordChange(trx, actor, {
      audit: { action: 'user.recovery_codes_regenerated', entityType: 'user', entityId: userId },
    });
  });
  return { recoveryCodes: codes };
}
