import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace } from '../../../../../test/factories.js';
import { startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';
import { type ImapTestServer, startImapServer } from './imap.test-support.js';

/**
 * Mail settings must not turn the server into a port scanner: hosts on internal networks are refused before
 * any connection is made (unless MAIL_ALLOW_PRIVATE_HOSTS names them), and no answer of a remote service
 * reaches the API. Every listener here is on 127.0.0.1; nothing connects anywhere else.
 */

/** A TCP listener that counts connections and greets like some other service with a recognisable banner. */
interface Trap {
  port: number;
  connections: number;
  close(): Promise<void>;
}
const BANNER = 'SSH-2.0-OpenSSH_9.6 secret-internal-banner';
async function startTrap(): Promise<Trap> {
  const trap = { port: 0, connections: 0, close: async () => {} };
  const server = net.createServer((socket) => {
    trap.connections += 1;
    socket.on('error', () => {});
    socket.end(`${BANNER}\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  trap.port = (server.address() as net.AddressInfo).port;
  trap.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return trap;
}

/** A port with nothing listening on it (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

let guarded: RunningServer;
let allowing: RunningServer;
let trap: Trap;
let provider: SMTPServer;
let providerPort: number;
let imap: ImapTestServer;
let received = 0;

beforeAll(async () => {
  trap = await startTrap();
  provider = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', () => resolve()));
  providerPort = (provider.server.address() as net.AddressInfo).port;
  imap = await startImapServer();
  // The default (no private host allowed), and an on-premise set-up that allows the loopback address.
  [guarded, allowing] = await Promise.all([
    startTestServer({ config: { mailAllowPrivateHosts: [] } }),
    startTestServer({ config: { mailAllowPrivateHosts: ['127.0.0.1'] } }),
  ]);
});
afterAll(async () => {
  await guarded?.stop();
  await allowing?.stop();
  await trap?.close();
  await imap?.close();
  await new Promise<void>((r) => (provider ? provider.close(() => r()) : r()));
});

async function saveSmtp(admin: TestClient, host: string, port: number) {
  const { version } = (await admin.get('/api/v1/mail/settings')).body;
  const res = await admin.patch('/api/v1/mail/settings', {
    version,
    smtp: { host, port, security: 'none', user: null, password: null, fromAddress: 'sales@example.jp' },
  });
  expect(res.status).toBe(200);
}

async function saveImap(admin: TestClient, host: string, port: number) {
  const { version } = (await admin.get('/api/v1/mail/settings')).body;
  const res = await admin.patch('/api/v1/mail/settings', {
    version,
    imap: { host, port, tls: false, user: imap.user, password: imap.password },
  });
  expect(res.status).toBe(200);
}

describe('mail servers on internal addresses (MAIL_ALLOW_PRIVATE_HOSTS unset)', () => {
  const internal = ['127.0.0.1', 'localhost', 'LOCALHOST.', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', '169.254.169.254', '10.0.0.1'];

  it('refuses the SMTP test message with 422 mail_host_not_allowed before connecting', async () => {
    const admin = (await makeWorkspace(guarded)).admin.client;
    for (const host of internal) {
      await saveSmtp(admin, host, trap.port);
      const res = await admin.post('/api/v1/mail/settings/test', { to: 'someone@example.jp' });
      expect([res.status, res.body.error?.code], host).toEqual([422, 'mail_host_not_allowed']);
      expect(res.body.error.message).toContain('MAIL_ALLOW_PRIVATE_HOSTS');
      expect(JSON.stringify(res.body)).not.toContain('OpenSSH');
    }
    expect(trap.connections).toBe(0);
  });

  it('refuses the IMAP connection test and the poll the same way, and records why', async () => {
    const admin = (await makeWorkspace(guarded, { locale: 'en' })).admin.client;
    for (const host of internal) {
      await saveImap(admin, host, trap.port);
      const res = await admin.post('/api/v1/mail/settings/imap/test');
      expect([res.status, res.body.error?.code], host).toEqual([422, 'mail_host_not_allowed']);
      expect(res.body.error.details).toEqual({ kind: 'host_not_allowed', detail: null });
    }
    const poll = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(poll.body).toMatchObject({ status: 'failed', error: { kind: 'host_not_allowed', detail: null } });
    expect((await admin.get('/api/v1/mail/settings')).body.imap.lastError).toEqual({ kind: 'host_not_allowed', detail: null });
    expect(trap.connections).toBe(0);
  });

  it('marks composed mail failed (host_not_allowed, no retries) without connecting', async () => {
    const admin = (await makeWorkspace(guarded)).admin.client;
    await saveSmtp(admin, '127.0.0.1', trap.port);
    const person = await admin.post('/api/v1/people', {
      familyName: '山田',
      emails: [{ address: 'yamada@customer.example' }],
      ignoreDuplicates: true,
    });
    const queued = await admin.post('/api/v1/emails', { personId: person.body.id, subject: '届かない', body: 'x' });
    expect(queued.status).toBe(202);
    const failed = await waitFor('the mail to fail', async () => {
      const e = await admin.get(`/api/v1/emails/${queued.body.id}`);
      return e.body.status === 'failed' ? e.body : undefined;
    });
    expect(failed.error).toBe('host_not_allowed');
    const [row] = (await guarded.database.pool.query('SELECT send_attempts FROM email_messages WHERE id = $1', [queued.body.id])).rows;
    expect(row.send_attempts).toBe(1);
    expect(trap.connections).toBe(0);
  });
});

describe('with MAIL_ALLOW_PRIVATE_HOSTS naming the address', () => {
  it('sends the SMTP test message to the allowed on-premise server', async () => {
    const admin = (await makeWorkspace(allowing)).admin.client;
    await saveSmtp(admin, '127.0.0.1', providerPort);
    const before = received;
    const res = await admin.post('/api/v1/mail/settings/test', { to: 'someone@example.jp' });
    expect(res.status).toBe(200);
    expect(received).toBe(before + 1);
  });

  it('still refuses what the list does not name, and the metadata address always', async () => {
    const admin = (await makeWorkspace(allowing)).admin.client;
    const seen = trap.connections;
    for (const host of ['127.0.0.2', '169.254.169.254']) {
      await saveSmtp(admin, host, trap.port);
      const res = await admin.post('/api/v1/mail/settings/test', { to: 'someone@example.jp' });
      expect([res.status, res.body.error?.code], host).toEqual([422, 'mail_host_not_allowed']);
    }
    expect(trap.connections).toBe(seen);
  });

  it('opens the allowed IMAP mailbox', async () => {
    const admin = (await makeWorkspace(allowing)).admin.client;
    await saveImap(admin, '127.0.0.1', imap.port);
    const res = await admin.post('/api/v1/mail/settings/imap/test');
    expect(res.status).toBe(200);
    expect(res.body.mailbox).toBe('INBOX');
  });

  it('answers with a fixed code, never the banner of whatever listens on the port', async () => {
    const admin = (await makeWorkspace(allowing, { locale: 'en' })).admin.client;
    const seen = trap.connections;
    await saveSmtp(admin, '127.0.0.1', trap.port);
    const smtp = await admin.post('/api/v1/mail/settings/test', { to: 'someone@example.jp' });
    expect(smtp.status).toBe(502);
    expect(smtp.body.error).toMatchObject({ code: 'mail_send_failed', details: { kind: 'protocol', smtpCode: null } });
    expect(JSON.stringify(smtp.body)).not.toMatch(/OpenSSH|secret-internal-banner|SSH-2/);

    await saveImap(admin, '127.0.0.1', trap.port);
    const test = await admin.post('/api/v1/mail/settings/imap/test');
    expect(test.status).toBe(422);
    expect(test.body.error.code).toBe('mail_imap_connection_failed');
    expect(JSON.stringify(test.body)).not.toMatch(/OpenSSH|secret-internal-banner|SSH-2/);
    const poll = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(JSON.stringify(poll.body)).not.toMatch(/OpenSSH|secret-internal-banner|SSH-2/);
    expect(JSON.stringify((await admin.get('/api/v1/mail/settings')).body)).not.toMatch(/OpenSSH|secret-internal-banner/);
    expect(trap.connections).toBeGreaterThan(seen);
  });

  it('tells a closed port apart only as mail_connection_failed', async () => {
    const admin = (await makeWorkspace(allowing, { locale: 'en' })).admin.client;
    await saveSmtp(admin, '127.0.0.1', await closedPort());
    const res = await admin.post('/api/v1/mail/settings/test', { to: 'someone@example.jp' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'mail_connection_failed', details: { kind: 'connection_failed', smtpCode: null } });
    expect(res.body.error.message).toBe('Could not connect to the mail server. Check the server name and port.');
  });
});
