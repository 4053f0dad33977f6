import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson } from '../../../../../test/factories.js';
import { createTestDatabase, createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../../test/helpers.js';
import { type Config, loadConfig } from '../../../platform/config.js';
import type { RunningServer } from '../../../server.js';

/** Two app instances on one database, each with its own data folder, as when scaled out behind a load balancer. */
let databaseUrl: string;
let a: RunningServer;
let b: RunningServer;
let admin: TestClient;
let workspaceId: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-attachment-store-'));
const defaults = loadConfig({}, process.cwd()).attachments;
const folder = (name: string) => path.join(tmp, name, 'attachments');
const attachmentsConfig = (name: string, more: Partial<Config['attachments']> = {}) => ({ ...defaults, dir: folder(name), ...more });
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  a = await startTestServer({
    databaseUrl,
    listen: true,
    config: {
      dataDir: path.join(tmp, 'a'),
      attachments: attachmentsConfig('a'),
      mailInbound: { port: 0, host: '127.0.0.1', maxBytes: 20 * 1024 * 1024, domain: 'crm.example.jp' },
    },
  });
  b = await startTestServer({ databaseUrl, listen: true, config: { dataDir: path.join(tmp, 'b'), attachments: attachmentsConfig('b') } });
  const ws = await createTestWorkspace(a);
  workspaceId = ws.workspaceId;
  admin = await signIn(a, ws.adminEmail);
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Over real HTTP (the session works on every instance: it is in the database). */
function http(server: RunningServer, method: string, url: string, body?: Buffer, contentType = 'application/octet-stream') {
  return fetch(`${server.url}${url}`, {
    method,
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, ...(body ? { 'content-type': contentType } : {}) },
    body: body ? new Uint8Array(body) : undefined,
  });
}

async function activity() {
  const p = await makePerson(admin, { familyName: '添付', ignoreDuplicates: true });
  const act = await admin.post('/api/v1/activities', { kind: 'note', body: '資料', links: [{ entityType: 'person', entityId: p.id }] });
  expect(act.status).toBe(201);
  return act.body.id as string;
}

async function upload(server: RunningServer, activityId: string, filename: string, data: Buffer, contentType?: string) {
  const res = await http(
    server,
    'POST',
    `/api/v1/activities/${activityId}/attachments?filename=${encodeURIComponent(filename)}`,
    data,
    contentType,
  );
  return { status: res.status, body: await res.json() };
}

async function download(server: RunningServer, id: string) {
  const res = await http(server, 'GET', `/api/v1/attachments/${id}`);
  return { status: res.status, headers: res.headers, data: Buffer.from(await res.arrayBuffer()) };
}

async function q(text: string, values: unknown[] = []) {
  return (await a.database.pool.query(text, values)).rows;
}

const filesIn = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];

describe('attachments in PostgreSQL (the default)', () => {
  it('a file uploaded through one instance downloads byte-identical through another, a multi-MB file in parts', async () => {
    const activityId = await activity();
    const small = Buffer.from('%PDF-1.7 見積書');
    const large = randomBytes(5 * 1024 * 1024 + 12_345);
    const upSmall = await upload(a, activityId, '見積書.pdf', small, 'application/pdf');
    const upLarge = await upload(a, activityId, '図面.bin', large);
    expect([upSmall.status, upLarge.status]).toEqual([201, 201]);
    expect(upLarge.body.size).toBe(large.length);

    const dlSmall = await download(b, upSmall.body.id);
    expect(dlSmall.status).toBe(200);
    expect(dlSmall.headers.get('content-type')).toBe('application/pdf');
    expect(dlSmall.data.equals(small)).toBe(true);
    const dlLarge = await download(b, upLarge.body.id);
    expect(dlLarge.status).toBe(200);
    expect(dlLarge.headers.get('content-length')).toBe(String(large.length));
    expect(sha(dlLarge.data)).toBe(sha(large));

    // stored in numbered parts of about 1 MiB, and in no instance's folder
    const [parts] = await q('SELECT count(*)::int AS n, max(length(data))::int AS largest FROM attachment_parts WHERE attachment_id = $1', [
      upLarge.body.id,
    ]);
    expect(parts.n).toBeGreaterThanOrEqual(5);
    expect(parts.largest).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect([...filesIn(folder('a')), ...filesIn(folder('b'))]).toEqual([]);
  }, 60_000);

  it('a mail received by one instance has attachments another instance serves', async () => {
    const inbound = (await admin.get('/api/v1/mail/settings')).body.inbound.address as string;
    const sender = `customer.${randomBytes(3).toString('hex')}@client.example`;
    await makePerson(admin, { familyName: '顧客', emails: [{ label: 'work', address: sender }] });
    const pdf = randomBytes(2 * 1024 * 1024);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: a.mailReceiver.port, secure: false, ignoreTLS: true });
    await transport
      .sendMail({
        from: sender,
        to: 'sales@example.jp',
        envelope: { from: sender, to: [inbound] },
        subject: '発注書を送ります',
        text: '添付をご確認ください。',
        attachments: [{ filename: '発注書.pdf', content: pdf, contentType: 'application/pdf' }],
      })
      .finally(() => transport.close());
    const [row] = await q(`SELECT id FROM attachments WHERE workspace_id = $1 AND owner_type = 'email' AND filename = '発注書.pdf'`, [
      workspaceId,
    ]);
    const dl = await download(b, row.id);
    expect(dl.status).toBe(200);
    expect(sha(dl.data)).toBe(sha(pdf));
    const [parts] = await q('SELECT count(*)::int AS n, max(length(data))::int AS largest FROM attachment_parts WHERE attachment_id = $1', [
      row.id,
    ]);
    expect(parts).toEqual({ n: 2, largest: 1024 * 1024 });
  }, 60_000);

  it('refuses an oversize file, a blocked type and an executable in disguise, storing no row and no part', async () => {
    const small = await startTestServer({ databaseUrl, config: { attachments: attachmentsConfig('small', { maxBytes: 1536 * 1024 }) } });
    try {
      const activityId = await activity();
      const send = (filename: string, data: Buffer) =>
        small.app.inject({
          method: 'POST',
          url: `/api/v1/activities/${activityId}/attachments?filename=${encodeURIComponent(filename)}`,
          headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/octet-stream' },
          payload: data,
        });
      const big = await send('big.bin', Buffer.alloc(1536 * 1024 + 1, 1));
      expect([big.statusCode, big.json().error.code]).toEqual([413, 'attachment_too_large']);
      const exe = await send('setup.exe', Buffer.from('hello'));
      expect([exe.statusCode, exe.json().error.code]).toEqual([415, 'attachment_type_blocked']);
      const disguised = await send('invoice.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]));
      expect([disguised.statusCode, disguised.json().error.code]).toEqual([415, 'attachment_type_blocked']);
      const empty = await send('empty.txt', Buffer.alloc(0));
      expect(empty.statusCode).toBe(400);
      expect(await q('SELECT id FROM attachments WHERE owner_id = $1', [activityId])).toEqual([]);
      expect(
        await q('SELECT 1 FROM attachment_parts p WHERE NOT EXISTS (SELECT 1 FROM attachments x WHERE x.id = p.attachment_id)'),
      ).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});

describe('the folder option (ATTACHMENTS_STORAGE=disk)', () => {
  it('keeps files in ATTACHMENTS_DIR when configured, and serves them from there', async () => {
    const disk = await startTestServer({ databaseUrl, config: { attachments: attachmentsConfig('disk', { storage: 'disk' }) } });
    try {
      const activityId = await activity();
      const data = randomBytes(3 * 1024 * 1024);
      const up = await disk.app.inject({
        method: 'POST',
        url: `/api/v1/activities/${activityId}/attachments?filename=disk.bin`,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/octet-stream' },
        payload: data,
      });
      expect(up.statusCode).toBe(201);
      const id = up.json().id as string;
      expect(sha(fs.readFileSync(path.join(folder('disk'), workspaceId, id)))).toBe(sha(data));
      expect(await q('SELECT 1 FROM attachment_parts WHERE attachment_id = $1', [id])).toEqual([]);
      const dl = await disk.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: { cookie: admin.cookie } });
      expect(dl.statusCode).toBe(200);
      expect(sha(dl.rawPayload)).toBe(sha(data));
    } finally {
      await disk.stop();
    }
  }, 60_000);
});

describe('files stored in a folder before (an earlier version, or the folder option)', () => {
  it('are moved into PostgreSQL when an instance that has them starts with the database storage; others serve them then', async () => {
    const dir = 'legacy';
    const old = await startTestServer({ databaseUrl, config: { attachments: attachmentsConfig(dir, { storage: 'disk' }) } });
    let id: string;
    const data = randomBytes(1024 * 1024 + 7);
    try {
      const activityId = await activity();
      const up = await old.app.inject({
        method: 'POST',
        url: `/api/v1/activities/${activityId}/attachments?filename=${encodeURIComponent('古い資料.bin')}`,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/octet-stream' },
        payload: data,
      });
      expect(up.statusCode).toBe(201);
      id = up.json().id;
    } finally {
      await old.stop();
    }
    // before the move, an instance without the folder cannot serve it: it is on another machine's disk
    expect((await download(b, id)).status).toBe(404);

    const restarted = await startTestServer({ databaseUrl, config: { attachments: attachmentsConfig(dir) } });
    try {
      const dl = await restarted.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: { cookie: admin.cookie } });
      expect(dl.statusCode).toBe(200);
      expect(sha(dl.rawPayload)).toBe(sha(data));
      // the row says 'database' at the move's commit; the file leaves the folder right after
      const moved = async () => [(await q('SELECT storage FROM attachments WHERE id = $1', [id]))[0].storage, filesIn(folder(dir))];
      for (let i = 0; i < 100 && (await moved())[0] !== 'database'; i++) await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 20 && (await moved())[1].length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await moved()).toEqual(['database', []]);
      const fromB = await download(b, id);
      expect(fromB.status).toBe(200);
      expect(sha(fromB.data)).toBe(sha(data));
    } finally {
      await restarted.stop();
    }
  }, 60_000);
});
