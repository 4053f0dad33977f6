import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../../test/helpers.js';
import { loadConfig } from '../../../platform/config.js';
import type { RunningServer } from '../../../server.js';
import { contentDisposition } from './attachments.js';

let server: RunningServer;
let admin: TestClient;
let workspaceId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-attachments-'));
const MAX = 64 * 1024;

beforeAll(async () => {
  const defaults = loadConfig({}, process.cwd()).attachments;
  server = await startTestServer({ config: { attachments: { ...defaults, dir, maxBytes: MAX } } });
  const ws = await createTestWorkspace(server);
  workspaceId = ws.workspaceId;
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function activity(client: TestClient = admin) {
  const p = await client.post('/api/v1/people', { familyName: '添付', ignoreDuplicates: true });
  const a = await client.post('/api/v1/activities', { kind: 'note', body: '資料', links: [{ entityType: 'person', entityId: p.body.id }] });
  expect(a.status).toBe(201);
  return { personId: p.body.id as string, activityId: a.body.id as string };
}

function upload(client: TestClient, activityId: string, filename: string, data: Buffer | string, contentType = 'application/octet-stream') {
  return client.request('POST', `/api/v1/activities/${activityId}/attachments?filename=${encodeURIComponent(filename)}`, data, {
    'content-type': contentType,
  });
}

describe('attachments', () => {
  it('stores a file in PostgreSQL and downloads it with safe headers and a RFC 5987 file name', async () => {
    const { activityId } = await activity();
    const data = Buffer.from('%PDF-1.4 見積書');
    const res = await upload(admin, activityId, '見積書 "最終".pdf', data, 'application/pdf');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ filename: '見積書 _最終_.pdf', size: data.length, contentType: 'application/pdf' });
    const { rows } = await server.database.pool.query(
      `SELECT a.sha256, a.storage, (SELECT string_agg(p.data, '' ORDER BY p.seq) FROM attachment_parts p WHERE p.attachment_id = a.id) AS data
       FROM attachments a WHERE a.workspace_id = $1 AND a.id = $2`,
      [workspaceId, res.body.id],
    );
    expect(rows[0].storage).toBe('database');
    expect(rows[0].data.equals(data)).toBe(true);
    expect(rows[0].sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(fs.existsSync(path.join(dir, workspaceId, res.body.id))).toBe(false);

    const dl = await admin.request('GET', `/api/v1/attachments/${res.body.id}`);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-disposition']).toBe(
      `attachment; filename="___ ____.pdf"; filename*=UTF-8''${encodeURIComponent('見積書 _最終_.pdf')}`,
    );
    const act = await admin.get(`/api/v1/activities/${activityId}`);
    expect(act.body.attachments).toEqual([
      { id: res.body.id, filename: '見積書 _最終_.pdf', size: data.length, contentType: 'application/pdf' },
    ]);
  });

  it('never serves HTML or SVG as something a browser would render', async () => {
    const { activityId } = await activity();
    const html = await upload(admin, activityId, 'page.html', '<script>alert(1)</script>', 'text/html');
    const svg = await upload(admin, activityId, 'x.svg', '<svg onload="alert(1)"/>', 'image/svg+xml');
    for (const id of [html.body.id, svg.body.id]) {
      const dl = await admin.request('GET', `/api/v1/attachments/${id}`);
      expect(dl.headers['content-type']).toBe('application/octet-stream');
      expect(String(dl.headers['content-disposition'])).toMatch(/^attachment;/);
      expect(String(dl.headers['content-security-policy'])).toContain("default-src 'none'");
    }
  });

  it('refuses an oversize file, a blocked extension and an executable in disguise, storing nothing', async () => {
    const { activityId } = await activity();
    const big = await upload(admin, activityId, 'big.bin', Buffer.alloc(MAX + 1, 1));
    expect([big.status, big.body.error.code]).toEqual([413, 'attachment_too_large']);
    const exe = await upload(admin, activityId, 'setup.EXE', Buffer.from('hello'));
    expect([exe.status, exe.body.error.code]).toEqual([415, 'attachment_type_blocked']);
    const disguised = await upload(admin, activityId, 'invoice.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]));
    expect([disguised.status, disguised.body.error.code]).toEqual([415, 'attachment_type_blocked']);
    const empty = await upload(admin, activityId, 'empty.txt', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const noName = await admin.request('POST', `/api/v1/activities/${activityId}/attachments`, Buffer.from('x'), {
      'content-type': 'text/plain',
    });
    expect([noName.status, noName.body.error.code]).toEqual([400, 'validation_failed']);
    const act = await admin.get(`/api/v1/activities/${activityId}`);
    expect(act.body.attachments).toEqual([]);
    expect(
      fs.existsSync(path.join(dir, workspaceId)) ? fs.readdirSync(path.join(dir, workspaceId)).filter((f) => f.endsWith('.tmp')) : [],
    ).toEqual([]);
  });

  it('refuses a blocked extension however the name disguises it, and stores the name as Windows would save it', async () => {
    const { activityId } = await activity();
    for (const name of ['x.js.', 'x.js ', 'x.js%20', 'x.JS', 'x.js::$DATA', 'x．js', 'ｘ．ＥＸＥ', 'invoice.pdf.js. . .', '.js']) {
      const res = await upload(admin, activityId, name, Buffer.from('alert(1)'));
      expect([res.status, res.body.error?.code], name).toEqual([415, 'attachment_type_blocked']);
    }
    const kept = await upload(admin, activityId, '議事録（第２回）.txt. ', Buffer.from('議事録'), 'text/plain');
    expect(kept.status).toBe(201);
    expect(kept.body.filename).toBe('議事録（第２回）.txt');
    const act = await admin.get(`/api/v1/activities/${activityId}`);
    expect(act.body.attachments.map((a: { filename: string }) => a.filename)).toEqual(['議事録（第２回）.txt']);
  });

  it('is not found for another workspace or for a user who may not see the record', async () => {
    const { activityId } = await activity();
    const stored = await upload(admin, activityId, 'memo.txt', 'secret', 'text/plain');
    const other = await createTestWorkspace(server);
    const stranger = await signIn(server, other.adminEmail);
    expect((await stranger.request('GET', `/api/v1/attachments/${stored.body.id}`)).status).toBe(404);
    expect((await upload(stranger, activityId, 'x.txt', 'x', 'text/plain')).status).toBe(404);

    const ws = await admin.get('/api/v1/workspace');
    await admin.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } });
    const member = await addUser(server, admin, 'member', '制限 ユーザー');
    expect((await member.client.request('GET', `/api/v1/attachments/${stored.body.id}`)).status).toBe(404);
    expect((await admin.request('GET', `/api/v1/attachments/${stored.body.id}`)).status).toBe(200);
  });

  it('writes an ASCII fallback and an encoded name for any file name', () => {
    expect(contentDisposition("a'b (1).txt")).toBe(`attachment; filename="a'b (1).txt"; filename*=UTF-8''a%27b%20%281%29.txt`);
  });
});
