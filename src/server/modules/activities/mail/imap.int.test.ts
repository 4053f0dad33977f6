import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson } from '../../../../../test/factories.js';
import {
  addUser,
  createTestDatabase,
  createTestWorkspace,
  signIn,
  startTestServer,
  testConfig,
  waitFor,
} from '../../../../../test/helpers.js';
import type { Config } from '../../../platform/config.js';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../activities.db.js';
import { IMAP_SWEEP_QUEUE } from './imap.jobs.js';
import { pollWorkspaceMailbox } from './imap.poller.js';
import { type ImapTestServer, rawMail, startImapServer } from './imap.test-support.js';

let server: RunningServer;
let config: Config;
let dataDir: string;
const imapServers: ImapTestServer[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-imap-'));
  const databaseUrl = await createTestDatabase();
  const overrides: Partial<Config> = {
    dataDir,
    mailInbound: { host: '127.0.0.1', maxBytes: 300_000, domain: null },
    attachments: { storage: 'database', dir: path.join(dataDir, 'attachments'), maxBytes: 50_000, blockedExtensions: ['exe'] },
  };
  server = await startTestServer({ databaseUrl, config: overrides });
  config = testConfig(databaseUrl, overrides);
});
afterAll(async () => {
  await server?.stop();
  for (const s of imapServers) await s.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function q(text: string, values: unknown[] = []) {
  return (await server.database.pool.query(text, values)).rows;
}

/** A workspace with its own IMAP server and the settings saved (scheduled polling off unless asked). */
async function setup(options: { enabled?: boolean; password?: string; mailbox?: string; locale?: 'ja' | 'en' } = {}) {
  const imap = await startImapServer();
  imapServers.push(imap);
  const ws = await createTestWorkspace(server, { locale: options.locale ?? 'ja' });
  const admin = await signIn(server, ws.adminEmail);
  const current = await admin.get('/api/v1/mail/settings');
  const res = await admin.patch('/api/v1/mail/settings', {
    version: current.body.version,
    imap: {
      enabled: options.enabled ?? false,
      host: '127.0.0.1',
      port: imap.port,
      tls: false,
      user: imap.user,
      password: options.password ?? imap.password,
      ...(options.mailbox ? { mailbox: options.mailbox } : {}),
    },
  });
  expect(res.status).toBe(200);
  return { imap, admin, ws, settings: res.body };
}

describe('IMAP settings', () => {
  it('saves the mailbox settings with the password encrypted at rest and never returned; INBOX by default', async () => {
    const { ws, settings, imap } = await setup();
    expect(settings.imap).toMatchObject({
      enabled: false,
      configured: true,
      host: '127.0.0.1',
      port: imap.port,
      tls: false,
      user: imap.user,
      hasPassword: true,
      mailbox: 'INBOX',
      lastPolledAt: null,
      lastError: null,
      lastUid: null,
    });
    expect(JSON.stringify(settings)).not.toContain(imap.password);
    const [row] = await q('SELECT imap_password_enc FROM mail_settings WHERE workspace_id = $1', [ws.workspaceId]);
    expect(row.imap_password_enc).toBeTruthy();
    expect(row.imap_password_enc).not.toContain(imap.password);
    const audit = await q("SELECT before, after FROM audit_log WHERE workspace_id = $1 AND action = 'mail_settings.updated'", [
      ws.workspaceId,
    ]);
    expect(JSON.stringify(audit)).not.toContain(imap.password);
  });

  it('refuses bad input with 400 validation_failed and changes nothing', async () => {
    const ws = await createTestWorkspace(server);
    const admin = await signIn(server, ws.adminEmail);
    const { version } = (await admin.get('/api/v1/mail/settings')).body;
    const port0 = await admin.patch('/api/v1/mail/settings', { version, imap: { host: 'imap.example.jp', port: 0 } });
    expect(port0.status).toBe(400);
    expect(port0.body.error.code).toBe('validation_failed');
    const noHost = await admin.patch('/api/v1/mail/settings', { version, imap: { enabled: true, user: 'u', password: 'p' } });
    expect(noHost.status).toBe(400);
    expect(noHost.body.error.code).toBe('validation_failed');
    expect(noHost.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['imap.host']);
    const emptyMailbox = await admin.patch('/api/v1/mail/settings', { version, imap: { mailbox: '  ' } });
    expect(emptyMailbox.status).toBe(400);
    const after = (await admin.get('/api/v1/mail/settings')).body;
    expect(after.version).toBe(version);
    expect(after.imap).toMatchObject({ enabled: false, host: null, user: null, hasPassword: false, mailbox: 'INBOX' });
  });

  it('is documented in the OpenAPI document', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/mail/settings/imap/test', '/api/v1/mail/settings/imap/poll']));
    expect(JSON.stringify(doc.paths['/api/v1/mail/settings'].patch)).toContain('mailbox');
  });

  it('another workspace can neither read nor change these settings; members may not manage them', async () => {
    const { admin, ws, imap } = await setup();
    const otherWs = await createTestWorkspace(server, { name: '他社' });
    const other = await signIn(server, otherWs.adminEmail);
    const theirs = await other.get('/api/v1/mail/settings');
    expect(theirs.body.imap).toMatchObject({ host: null, user: null, hasPassword: false });
    const changed = await other.patch('/api/v1/mail/settings', { version: theirs.body.version, imap: { host: 'evil.example' } });
    expect(changed.status).toBe(200);
    expect((await other.post('/api/v1/mail/settings/imap/poll')).status).toBe(409);
    expect((await other.post('/api/v1/mail/settings/imap/test')).body.error.code).toBe('mail_imap_not_configured');
    const ours = (await admin.get('/api/v1/mail/settings')).body.imap;
    expect(ours).toMatchObject({ host: '127.0.0.1', user: imap.user, hasPassword: true });

    const member = await addUser(server, admin, 'member');
    expect((await member.client.get('/api/v1/mail/settings')).status).toBe(403);
    expect((await member.client.post('/api/v1/mail/settings/imap/test')).status).toBe(403);
    expect((await member.client.post('/api/v1/mail/settings/imap/poll')).status).toBe(403);
    const [row] = await q('SELECT imap_host FROM mail_settings WHERE workspace_id = $1', [ws.workspaceId]);
    expect(row.imap_host).toBe('127.0.0.1');
  });
});

describe('IMAP connection test', () => {
  it('reports the mailbox and its message count when the settings work', async () => {
    const { admin, imap } = await setup();
    imap.append(rawMail({ from: 'a@example.jp', to: 'crm@example.test', subject: '一通目' }));
    const res = await admin.post('/api/v1/mail/settings/imap/test');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mailbox: 'INBOX', messages: 1 });
  });

  it('a wrong password: 422 with a clear message in the caller language, nothing changed; a poll records the error', async () => {
    const { admin, ws, imap, settings } = await setup({ password: 'wrong-password-123' });
    imap.append(rawMail({ from: 'known@example.jp', to: 'crm@example.test', subject: '届かない' }));
    const ja = await admin.post('/api/v1/mail/settings/imap/test');
    expect(ja.status).toBe(422);
    expect(ja.body.error.code).toBe('mail_imap_auth_failed');
    expect(ja.body.error.message).toContain('パスワード');
    expect(ja.body.error.details.kind).toBe('auth_failed');
    expect(JSON.stringify(ja.body)).not.toContain('wrong-password-123');
    const english = await setup({ password: 'wrong-password-123', locale: 'en' });
    const en = await english.admin.post('/api/v1/mail/settings/imap/test');
    expect(en.body.error.message).toBe('The IMAP server refused the login. Check the user name and password.');
    const unchanged = (await admin.get('/api/v1/mail/settings')).body;
    expect(unchanged.version).toBe(settings.version);
    expect(unchanged.imap.lastError).toBeNull();

    const poll = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(poll.status).toBe(200);
    expect(poll.body).toMatchObject({ status: 'failed', stored: 0, error: { kind: 'auth_failed' } });
    const after = (await admin.get('/api/v1/mail/settings')).body;
    expect(after.imap.lastError.kind).toBe('auth_failed');
    expect(JSON.stringify(after.imap.lastError)).not.toContain('wrong-password-123');
    expect(after.imap.lastPolledAt).not.toBeNull();
    expect(after.imap.lastUid).toBeNull();
    expect(after.version).toBe(settings.version);
    expect(await q('SELECT id FROM email_messages WHERE workspace_id = $1', [ws.workspaceId])).toEqual([]);
    expect(imap.messages()).toHaveLength(1);
  });

  it('an unreachable server and a missing mailbox are told apart', async () => {
    const { admin, settings } = await setup({ mailbox: 'NoSuchFolder' });
    const missing = await admin.post('/api/v1/mail/settings/imap/test');
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('mail_imap_mailbox_not_found');
    const closed = await admin.patch('/api/v1/mail/settings', { version: settings.version, imap: { port: 1, mailbox: 'INBOX' } });
    expect(closed.status).toBe(200);
    const unreachable = await admin.post('/api/v1/mail/settings/imap/test');
    expect(unreachable.status).toBe(422);
    expect(unreachable.body.error).toMatchObject({ code: 'mail_imap_connection_failed', details: { kind: 'connection_failed' } });
  });
});

describe('IMAP polling', () => {
  it('files a message on the matched person with source imap, leaves it in the mailbox, and a second poll stores nothing twice', async () => {
    const { admin, ws, imap } = await setup();
    const person = await makePerson(admin, {
      familyName: '山田',
      givenName: '花子',
      emails: [{ label: 'work', address: 'hanako@customer.example' }],
    });
    imap.append(rawMail({ from: '山田 花子 <Hanako@Customer.example>', to: 'crm@example.test', subject: 'お見積りの件' }));

    const first = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'polled', fetched: 1, stored: 1, duplicates: 0, skipped: 0, more: false, error: null });
    const list = await admin.get(`/api/v1/emails?personId=${person.id}`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ source: 'imap', direction: 'in', subject: 'お見積りの件', reviewState: 'none' });
    const email = await admin.get(`/api/v1/emails/${list.body.data[0].id}`);
    expect(email.body.text).toContain('IMAP からの取り込みテスト');
    await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${person.id}`);
      return tl.body.data.find((e: { kind: string }) => e.kind === 'email');
    });

    const second = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(second.body).toMatchObject({ status: 'polled', fetched: 0, stored: 0 });
    expect(await q('SELECT id FROM email_messages WHERE workspace_id = $1', [ws.workspaceId])).toHaveLength(1);
    expect(imap.messages()).toHaveLength(1);
    expect(imap.messages()[0]!.flags).not.toContain('\\Deleted');
    const s = (await admin.get('/api/v1/mail/settings')).body.imap;
    expect(s).toMatchObject({ lastUid: 1, lastError: null });
    expect(s.lastPolledAt).not.toBeNull();
  });

  it('mail from an unknown sender waits in the review list', async () => {
    const { admin, imap } = await setup();
    imap.append(rawMail({ from: 'stranger@newco.example', to: 'crm@example.test', subject: '初めてご連絡します' }));
    const poll = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(poll.body.stored).toBe(1);
    const review = await admin.get('/api/v1/mail/review');
    expect(review.body.data).toHaveLength(1);
    expect(review.body.data[0]).toMatchObject({ source: 'imap', reviewState: 'pending', from: { address: 'stranger@newco.example' } });
  });

  it('the same Message-ID twice in the mailbox is stored once', async () => {
    const { admin, ws, imap } = await setup();
    const raw = rawMail({ from: 'dup@example.jp', to: 'crm@example.test', subject: '重複', messageId: '<same-id@example.jp>' });
    imap.append(raw);
    imap.append(raw);
    const poll = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(poll.body).toMatchObject({ fetched: 2, stored: 1, duplicates: 1 });
    expect(await q('SELECT id FROM email_messages WHERE workspace_id = $1', [ws.workspaceId])).toHaveLength(1);
  });

  it('skips a message larger than MAIL_MAX_BYTES (left in the mailbox, not tried again) and goes on with the next', async () => {
    const { admin, ws, imap } = await setup();
    imap.append(rawMail({ from: 'big@example.jp', to: 'crm@example.test', subject: '大きい', body: 'x'.repeat(400_000) }));
    imap.append(rawMail({ from: 'small@example.jp', to: 'crm@example.test', subject: '小さい' }));
    const poll = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(poll.body).toMatchObject({ status: 'polled', fetched: 2, stored: 1, skipped: 1 });
    expect(await q('SELECT subject FROM email_messages WHERE workspace_id = $1', [ws.workspaceId])).toEqual([{ subject: '小さい' }]);
    expect((await admin.post('/api/v1/mail/settings/imap/poll')).body).toMatchObject({ fetched: 0, skipped: 0 });
    expect(imap.messages()).toHaveLength(2);
  });

  it('takes at most the batch size per poll, saving progress message by message, and catches up on the next poll', async () => {
    const { admin, ws, imap } = await setup();
    for (let i = 1; i <= 5; i++) imap.append(rawMail({ from: `s${i}@example.jp`, to: 'crm@example.test', subject: `件名 ${i}` }));
    const deps = { db: activitiesDb(server.database.db), config };
    const first = await pollWorkspaceMailbox(deps, { workspaceId: ws.workspaceId, requireEnabled: false, limit: 2 });
    expect(first).toMatchObject({ status: 'polled', stored: 2, more: true });
    expect((await admin.get('/api/v1/mail/settings')).body.imap.lastUid).toBe(2);
    const rest = await pollWorkspaceMailbox(deps, { workspaceId: ws.workspaceId, requireEnabled: false, limit: 200 });
    expect(rest).toMatchObject({ status: 'polled', stored: 3, more: false });
    expect(await q('SELECT id FROM email_messages WHERE workspace_id = $1', [ws.workspaceId])).toHaveLength(5);
  });

  it('a new UIDVALIDITY starts again from the first message; what is stored already is not stored twice', async () => {
    const { admin, ws, imap } = await setup();
    imap.append(rawMail({ from: 'a1@example.jp', to: 'crm@example.test', subject: 'A' }));
    imap.append(rawMail({ from: 'a2@example.jp', to: 'crm@example.test', subject: 'B' }));
    expect((await admin.post('/api/v1/mail/settings/imap/poll')).body.stored).toBe(2);
    imap.renumber(2000);
    imap.append(rawMail({ from: 'a3@example.jp', to: 'crm@example.test', subject: 'C' }));
    const after = await admin.post('/api/v1/mail/settings/imap/poll');
    expect(after.body).toMatchObject({ status: 'polled', fetched: 3, stored: 1, duplicates: 2 });
    const [row] = await q('SELECT imap_uid_validity, imap_last_uid FROM mail_settings WHERE workspace_id = $1', [ws.workspaceId]);
    expect(row).toEqual({ imap_uid_validity: '2000', imap_last_uid: '3' });
    expect(await q('SELECT subject FROM email_messages WHERE workspace_id = $1 ORDER BY subject', [ws.workspaceId])).toEqual([
      { subject: 'A' },
      { subject: 'B' },
      { subject: 'C' },
    ]);
  });

  it('concurrent polls of one mailbox never store a message twice (one poller at a time)', async () => {
    const { admin, ws, imap } = await setup();
    for (let i = 1; i <= 3; i++) imap.append(rawMail({ from: `c${i}@example.jp`, to: 'crm@example.test', subject: `同時 ${i}` }));
    const results = await Promise.all([admin.post('/api/v1/mail/settings/imap/poll'), admin.post('/api/v1/mail/settings/imap/poll')]);
    expect(results.map((r) => r.body.stored).sort()).toEqual([0, 3]);
    expect(results.every((r) => r.body.duplicates === 0)).toBe(true);
    expect(await q('SELECT id FROM email_messages WHERE workspace_id = $1', [ws.workspaceId])).toHaveLength(3);
  });

  it('the scheduled pg-boss job polls every enabled workspace and skips disabled ones', async () => {
    const on = await setup({ enabled: true });
    const off = await setup({ enabled: false });
    const person = await makePerson(on.admin, {
      familyName: '佐藤',
      givenName: '花子',
      emails: [{ label: 'work', address: 'sato@customer.example' }],
    });
    on.imap.append(rawMail({ from: 'sato@customer.example', to: 'crm@example.test', subject: '定期取り込み' }));
    off.imap.append(rawMail({ from: 'x@customer.example', to: 'crm@example.test', subject: '無効' }));
    await server.bus.jobs.send(IMAP_SWEEP_QUEUE, {});
    const list = await waitFor(async () => {
      const res = await on.admin.get(`/api/v1/emails?personId=${person.id}`);
      return res.body.data.length ? res.body.data : undefined;
    });
    expect(list[0]).toMatchObject({ source: 'imap', subject: '定期取り込み' });
    expect(await q('SELECT id FROM email_messages WHERE workspace_id = $1', [off.ws.workspaceId])).toEqual([]);
    expect((await off.admin.get('/api/v1/mail/settings')).body.imap.lastPolledAt).toBeNull();
  });

  it('changing the mailbox starts its progress over', async () => {
    const { admin, imap } = await setup();
    imap.append(rawMail({ from: 'm@example.jp', to: 'crm@example.test', subject: 'M' }));
    await admin.post('/api/v1/mail/settings/imap/poll');
    const s = (await admin.get('/api/v1/mail/settings')).body;
    expect(s.imap.lastUid).toBe(1);
    const moved = await admin.patch('/api/v1/mail/settings', { version: s.version, imap: { mailbox: 'Archive' } });
    expect(moved.body.imap).toMatchObject({ mailbox: 'Archive', lastUid: null });
  });
});
