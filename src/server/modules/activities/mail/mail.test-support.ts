import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect } from 'vitest';
import { makePerson } from '../../../../../test/factories.js';
import { createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';

/** What the stand-in mail provider received. */
export interface Captured {
  from: string | undefined;
  rcpt: string[];
  raw: Buffer;
  auth?: { username?: string; password?: string };
}

export const MAX_BYTES = 300_000;
/** The inbound mail domain of the test server (MAIL_INBOUND_DOMAIN). */
export const INBOUND_DOMAIN = 'in.crm-test.example';
export const ATTACHMENT_MAX = 50_000;

/**
 * A server with inbound mail on, a workspace (and a second one, `other`), and an SMTP server standing in for the
 * workspace's mail provider that keeps what it receives. Set up before the file's tests, torn down after; the
 * fields are filled in by then.
 */
export interface MailHarness {
  server: RunningServer;
  admin: TestClient;
  other: TestClient;
  workspaceId: string;
  adminId: string;
  /** The workspace's address for replies (its inbound token at the receiver's domain). */
  inboundAddress: string;
  dataDir: string;
  outbox: Captured[];
  rejectRecipients: boolean;
  /** Answer this many RCPT TO with 451 (try again later) before accepting. */
  temporaryFailures: number;
  providerPort: number;
}

export function mailHarness(): MailHarness {
  const h = { outbox: [], rejectRecipients: false, temporaryFailures: 0 } as unknown as MailHarness;
  let provider: SMTPServer | undefined;
  beforeAll(async () => {
    provider = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        callback(null, { user: { username: auth.username, password: auth.password } });
      },
      onRcptTo(_address, _session, callback) {
        if (h.temporaryFailures > 0) {
          h.temporaryFailures -= 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        callback(h.rejectRecipients ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          h.outbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            rcpt: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            auth: session.user as Captured['auth'],
          });
          callback();
        });
      },
    });
    const smtp = provider;
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    h.providerPort = (smtp.server.address() as { port: number }).port;

    h.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-'));
    h.server = await startTestServer({
      config: {
        dataDir: h.dataDir,
        mailInbound: { port: 0, host: '127.0.0.1', maxBytes: MAX_BYTES, domain: INBOUND_DOMAIN },
        attachments: {
          storage: 'database',
          dir: path.join(h.dataDir, 'attachments'),
          maxBytes: ATTACHMENT_MAX,
          blockedExtensions: ['exe'],
        },
      },
    });
    const ws = await createTestWorkspace(h.server);
    h.workspaceId = ws.workspaceId;
    h.adminId = ws.adminId;
    h.admin = await signIn(h.server, ws.adminEmail);
    const ws2 = await createTestWorkspace(h.server, { name: '他社' });
    h.other = await signIn(h.server, ws2.adminEmail);
    h.inboundAddress = (await h.admin.get('/api/v1/mail/settings')).body.inbound.address;
  });
  afterAll(async () => {
    await h.server?.stop();
    await new Promise<void>((r) => (provider ? provider.close(() => r()) : r()));
    if (h.dataDir) fs.rmSync(h.dataDir, { recursive: true, force: true });
  });
  return h;
}

/** Sends a message to the server's inbound SMTP receiver, as a customer's mail server would. */
export function deliver(h: MailHarness, message: SendMailOptions & { envelope?: { from: string; to: string[] } }) {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: h.server.mailReceiver.port, secure: false, ignoreTLS: true });
  return client.sendMail(message).finally(() => client.close());
}

export async function q(h: MailHarness, text: string, values: unknown[] = []) {
  return (await h.server.database.pool.query(text, values)).rows;
}

/** Points the workspace's outgoing mail at the stand-in provider. */
export async function configureSmtp(h: MailHarness, client = h.admin) {
  const current = await client.get('/api/v1/mail/settings');
  const res = await client.patch('/api/v1/mail/settings', {
    version: current.body.version,
    smtp: {
      host: '127.0.0.1',
      port: h.providerPort,
      security: 'none',
      user: 'crm-user',
      password: 's3cret-pass',
      fromAddress: 'Sales@Example.JP',
      fromName: 'テスト株式会社 営業部',
    },
  });
  expect(res.status).toBe(200);
  return res.body;
}

export function createPerson(
  h: MailHarness,
  familyName: string,
  givenName: string,
  email: string,
  extra: Parameters<typeof makePerson>[1] = {},
) {
  return makePerson(h.admin, { familyName, givenName, emails: [{ label: 'work', address: email }], ...extra });
}
