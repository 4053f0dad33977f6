import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { webhookOrder } from '../../../shared/contracts/commerce.js';
import { personCreate } from '../../../shared/contracts/customers.js';
import { normalizeEmail } from '../../../shared/jp-text.js';
import { type Actor, systemActor } from '../../platform/actor.js';
import { decryptSecret, encryptSecret } from '../../platform/crypto.js';
import { recordChange } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { createPerson, findPeopleByContact, normalizePhoneFast } from '../customers/index.js';
import type { CommerceDb } from './commerce.db.js';
import * as repo from './orders.repository.js';
import { createOrder } from './orders.service.js';

/** A delivery older or newer than this is refused: a captured request cannot be replayed later. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `sha256=` + hex HMAC-SHA256 over `<timestamp>.<raw body>`: the timestamp is signed too. */
export function signWebhook(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export function verifySignature(secret: string, timestamp: string, rawBody: Buffer, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function webhookStatus(options: { db: CommerceDb; actor: Actor; baseUrl: string }) {
  const row = await options.db
    .selectFrom('commerce_webhook_secrets')
    .selectAll()
    .where('workspace_id', '=', options.actor.workspaceId)
    .executeTakeFirst();
  return {
    configured: !!row,
    hint: row?.secret_hint ?? null,
    rotatedAt: row ? new Date(row.rotated_at).toISOString() : null,
    url: webhookUrl(options.baseUrl, options.actor.workspaceId),
  };
}

export const webhookUrl = (baseUrl: string, workspaceId: string) =>
  `${baseUrl.replace(/\/$/, '')}/api/v1/commerce/webhook/${workspaceId}/orders`;

/** A new secret replaces the old one at once; the plain secret is returned this one time only. */
export async function rotateWebhookSecret(options: { db: CommerceDb; actor: Actor; key: Buffer; baseUrl: string }) {
  const { actor } = options;
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const hint = `…${secret.slice(-4)}`;
  await options.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('commerce_webhook_secrets')
      .values({
        workspace_id: actor.workspaceId,
        secret_encrypted: encryptSecret(options.key, secret),
        secret_hint: hint,
        rotated_by: actor.userId,
      })
      .onConflict((oc) =>
        oc.column('workspace_id').doUpdateSet({
          secret_encrypted: encryptSecret(options.key, secret),
          secret_hint: hint,
          rotated_at: new Date(),
          rotated_by: actor.userId,
        }),
      )
      .execute();
    await recordChange(trx, actor, {
      audit: { action: 'commerce.webhook_secret_rotated', entityType: 'workspace', entityId: actor.workspaceId, after: { hint } },
    });
  });
  return { ...(await webhookStatus(options)), secret };
}

/**
 * An EC site's order: signature and timestamp first (401, nothing read or stored otherwise), then the
 * body; the EC's order id makes a second delivery return the first order.
 */
export async function receiveWebhookOrder(options: {
  db: CommerceDb;
  key: Buffer;
  workspaceId: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: number;
}) {
  const { db, workspaceId, rawBody } = options;
  if (!UUID.test(workspaceId) || !options.signature || !options.timestamp) throw new AppError('webhook_signature_invalid');
  const row = await db
    .selectFrom('commerce_webhook_secrets')
    .select('secret_encrypted')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) throw new AppError('webhook_signature_invalid');
  let secret: string;
  try {
    secret = decryptSecret(options.key, row.secret_encrypted);
  } catch {
    throw new AppError('webhook_signature_invalid');
  }
  if (!verifySignature(secret, options.timestamp, rawBody, options.signature)) throw new AppError('webhook_signature_invalid');
  const ts = Number(options.timestamp);
  const now = (options.now ?? Date.now()) / 1000;
  if (!/^\d{9,11}$/.test(options.timestamp) || Math.abs(now - ts) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new AppError('webhook_timestamp_expired', { toleranceSeconds: WEBHOOK_TOLERANCE_SECONDS });
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('validation_failed', { issues: [{ path: '', code: 'invalid_json' }] });
  }
  const parsed = webhookOrder.safeParse(json);
  if (!parsed.success) {
    throw new AppError('validation_failed', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message })),
    });
  }
  const input = parsed.data;
  const actor = systemActor(workspaceId);
  const existing = await repo.findOrderByExternalId(db, workspaceId, input.externalId);
  return db.transaction().execute(async (trx) => {
    const personId = existing ? existing.person_id : await findOrCreateCustomer(trx, actor, input.customer);
    return createOrder({
      db: trx,
      actor,
      source: 'webhook',
      input: {
        externalId: input.externalId,
        orderNumber: input.orderNumber,
        orderedAt: input.orderedAt,
        personId,
        status: input.status,
        currency: input.currency,
        lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
        refundedAmount: input.refundedAmount,
        paymentMethod: input.paymentMethod,
        channel: input.channel,
        store: input.store,
        note: null,
      },
    });
  });
}

/** The person with this email (else phone); a new person when none matches and the EC sent a name. */
async function findOrCreateCustomer(
  db: CommerceDb,
  actor: Actor,
  customer: { email?: string; phone?: string; familyName?: string; givenName?: string },
) {
  const email = customer.email ? normalizeEmail(customer.email) : null;
  const phone = customer.phone ? normalizePhoneFast(customer.phone)?.e164 : null;
  const [byEmail] = email ? await findPeopleByContact(db, actor.workspaceId, 'email', [email]) : [];
  const [found] = byEmail ? [byEmail] : phone ? await findPeopleByContact(db, actor.workspaceId, 'phone', [phone]) : [];
  if (found) return found.personId;
  if (!customer.familyName) throw new AppError('validation_failed', { issues: [{ path: 'customer', code: 'unknown_customer' }] });
  const input = personCreate.parse({
    familyName: customer.familyName,
    givenName: customer.givenName,
    emails: customer.email ? [{ address: customer.email, label: 'home' }] : [],
    // No label: the number's type says mobile or work.
    phones: customer.phone ? [{ number: customer.phone }] : [],
  });
  const person = await createPerson({ db, actor, input });
  return person.id as string;
}
