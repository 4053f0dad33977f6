import { decryptSecret } from '../../platform/crypto.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import type { AccountsDb } from './accounts.db.js';
import { userRepo } from './accounts.repository.js';
import { actorForUser, type SessionResult, startSession } from './auth.service.js';
import { dummyPasswordHash, hashSecret, newSecret, verifyPassword } from './secrets.js';
import { type ChallengeRow, challengeRepo, deviceRepo, totpRepo } from './security.repository.js';
import { codeBlocked, recordCodeFailure, recordSignInFailure, recordSignInSuccess, signInBlocked } from './sign-in-throttle.js';
import { matchTotp } from './totp.js';
import { enableTotp, newTotpEnrolment, verifySecondFactor, workspaceRequiresTwoFactor } from './two-factor.service.js';

const CHALLENGE_MINUTES = 10;
const CHALLENGE_ATTEMPTS = 5;

interface Client {
  ip?: string;
  userAgent?: string;
  /** The browser's known-device cookie, if it sent one. */
  deviceToken?: string;
}

export type SignInOutcome =
  | { status: 'signed_in'; session: SessionResult; newDeviceToken?: string }
  | { status: 'totp_required' | 'enrolment_required'; challenge: string };

/** Start the session and remember the browser as a known device of this user (a new cookie only when it has none). */
async function finishSignIn(
  options: { db: AccountsDb; workspaceId: string; userId: string; remember: boolean; sessionDays: number } & Client,
): Promise<{ session: SessionResult; newDeviceToken?: string }> {
  const { db, workspaceId, userId } = options;
  const session = await startSession(options);
  const known = options.deviceToken ? await deviceRepo.findForUser(db, hashSecret(options.deviceToken), workspaceId, userId) : undefined;
  if (known) {
    await deviceRepo.touch(db, workspaceId, known);
    return { session };
  }
  const newDeviceToken = newSecret();
  await deviceRepo.insert(db, { workspace_id: workspaceId, id: newId(), user_id: userId, token_hash: hashSecret(newDeviceToken) });
  return { session, newDeviceToken };
}

/** A new account in a workspace that requires two-step verification sets it up before its first session. */
export async function enrolmentChallengeIfRequired(db: AccountsDb, workspaceId: string, userId: string): Promise<string | null> {
  if (!(await workspaceRequiresTwoFactor(db, workspaceId))) return null;
  return (await openChallenge(db, { workspace_id: workspaceId, id: userId }, 'enrol', false)).challenge;
}

async function openChallenge(db: AccountsDb, user: { workspace_id: string; id: string }, kind: 'totp' | 'enrol', remember: boolean) {
  const challenge = newSecret();
  await challengeRepo.insert(db, {
    workspace_id: user.workspace_id,
    id: newId(),
    user_id: user.id,
    token_hash: hashSecret(challenge),
    kind,
    remember,
    expires_at: new Date(Date.now() + CHALLENGE_MINUTES * 60_000),
  });
  return { status: kind === 'totp' ? ('totp_required' as const) : ('enrolment_required' as const), challenge };
}

/**
 * The password step. Failures are counted per address whether or not it has an account, and every failure
 * answers the same way, so the responses reveal nothing about which addresses exist (sign-in-throttle.ts).
 */
export async function login(
  options: { db: AccountsDb; email: string; password: string; remember: boolean; sessionDays: number } & Client,
): Promise<SignInOutcome> {
  const { db } = options;
  const email = options.email.trim().toLowerCase();
  const deviceId = options.deviceToken ? await deviceRepo.findForEmail(db, hashSecret(options.deviceToken), email) : undefined;
  const attempt = { email, ip: options.ip, deviceId };
  if (await signInBlocked(db, attempt)) throw new AppError('too_many_attempts');
  const candidates = await userRepo.findActiveForLogin(db, email);
  let match: { workspace_id: string; id: string } | undefined;
  for (const c of candidates) {
    if (await verifyPassword(c.password_hash, options.password)) {
      match = c;
      break;
    }
  }
  if (candidates.length === 0) await verifyPassword(await dummyPasswordHash(), options.password);
  if (!match) {
    if (await recordSignInFailure(db, attempt)) throw new AppError('too_many_attempts');
    throw new AppError('invalid_credentials');
  }
  await recordSignInSuccess(db, attempt);
  const totp = await totpRepo.find(db, match.workspace_id, match.id);
  if (totp?.totp_secret) return openChallenge(db, match, 'totp', options.remember);
  if (await workspaceRequiresTwoFactor(db, match.workspace_id)) return openChallenge(db, match, 'enrol', options.remember);
  return { status: 'signed_in', ...(await finishSignIn({ ...options, workspaceId: match.workspace_id, userId: match.id })) };
}

async function usableChallenge(db: AccountsDb, token: string, kind: ChallengeRow['kind']): Promise<ChallengeRow> {
  const c = await challengeRepo.findUsable(db, hashSecret(token));
  if (!c || c.kind !== kind) throw new AppError('sign_in_expired');
  if (c.attempts >= CHALLENGE_ATTEMPTS) {
    await challengeRepo.remove(db, c.workspace_id, c.id);
    throw new AppError('sign_in_expired');
  }
  return c;
}

async function signedInActor(db: AccountsDb, c: ChallengeRow, ip?: string) {
  const actor = await actorForUser(db, c.workspace_id, c.user_id);
  if (!actor) throw new AppError('sign_in_expired');
  return { ...actor, ip };
}

/** The second step: a code from the app, or a recovery code (used up, and noted in the audit log). */
export async function completeTotpSignIn(
  options: { db: AccountsDb; key: Buffer; challenge: string; code?: string; recoveryCode?: string; sessionDays: number } & Client,
) {
  const { db } = options;
  const c = await usableChallenge(db, options.challenge, 'totp');
  await challengeRepo.countAttempt(db, c.workspace_id, c.id);
  const used = await verifySecondFactor({ ...options, workspaceId: c.workspace_id, userId: c.user_id });
  const actor = await signedInActor(db, c, options.ip);
  await db.transaction().execute(async (trx) => {
    if (!(await challengeRepo.remove(trx, c.workspace_id, c.id))) throw new AppError('sign_in_expired');
    if (used === 'recovery_code') {
      await recordChange(trx, actor, { audit: { action: 'user.recovery_code_used', entityType: 'user', entityId: c.user_id } });
    }
  });
  return finishSignIn({ ...options, workspaceId: c.workspace_id, userId: c.user_id, remember: c.remember });
}

/** The workspace requires two-factor and this user has none: a secret to add to the app, before any session. */
export async function startEnrolmentSignIn(options: { db: AccountsDb; key: Buffer; challenge: string }) {
  const { db } = options;
  const c = await usableChallenge(db, options.challenge, 'enrol');
  const row = await totpRepo.find(db, c.workspace_id, c.user_id);
  if (!row) throw new AppError('sign_in_expired');
  const { sealed, setup } = await newTotpEnrolment(db, options.key, c.workspace_id, row.email);
  await challengeRepo.setPendingSecret(db, c.workspace_id, c.id, sealed);
  return setup;
}

export async function confirmEnrolmentSignIn(
  options: { db: AccountsDb; key: Buffer; challenge: string; code: string; sessionDays: number } & Client,
) {
  const { db } = options;
  const c = await usableChallenge(db, options.challenge, 'enrol');
  if (!c.pending_secret) throw new AppError('two_factor_state', { enabled: false });
  if (await codeBlocked(db, c.user_id)) throw new AppError('too_many_attempts');
  await challengeRepo.countAttempt(db, c.workspace_id, c.id);
  const sealed = c.pending_secret;
  const step = matchTotp(decryptSecret(options.key, sealed), options.code);
  if (step === null) {
    await recordCodeFailure(db, c.user_id);
    throw new AppError('otp_invalid');
  }
  const actor = await signedInActor(db, c, options.ip);
  const recoveryCodes = await db.transaction().execute(async (trx) => {
    if (!(await challengeRepo.remove(trx, c.workspace_id, c.id))) throw new AppError('sign_in_expired');
    return enableTotp(trx, actor, c.user_id, sealed, step);
  });
  const signedIn = await finishSignIn({ ...options, workspaceId: c.workspace_id, userId: c.user_id, remember: c.remember });
  return { ...signedIn, recoveryCodes };
}
