import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';

/** The workspace's mail provider: a real SMTP server keeping the raw messages it accepts. */
let outbox: Buffer[] = [];
let provider: SMTPServer;
let providerPort: number;

let server: RunningServer;
let admin: TestClient;
let other: TestClient;
let workspaceId: string;
let adminId: string;
let dataDir: string;
let personId: string;
const ATTACHMENT_MAX = 50_000;

async function q(text: string, values: unknown[] = []) {
  return (await server.database.pool.query(text, values)).rows;
}

function upload(client: TestClient, filename: string, data: Buffer, contentType = 'application/pdf') {
  return client.request('POST', `/api/v1/emails/attachments?filename=${encodeURIComponent(filename)}`, data, {
    'content-type': contentType,
  });
}

async function configureSmtp(client: TestClient) {
  const current = await client.get('/api/v1/mail/settings');
  const res = await client.patch('/api/v1/mail/settings', {
    version: current.body.version,
    smtp: { host: '127.0.0.1', port: providerPort, security: 'none', fromAddress: 'sales@example.jp', fromName: '営業部' },
  });
  expect(res.status).toBe(200);
}

async function sentCount() {
  const [row] = await q(`SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1 AND direction = 'out'`, [workspaceId]);
  return row.n as number;
}

beforeAll(async () => {
  provider = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        outbox.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', () => resolve()));
  providerPort = (provider.server.address() as { port: number }).port;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-att-'));
  server = await startTestServer({
    config: {
      dataDir,
      attachments: { storage: 'database', dir: path.join(dataDir, 'attachments'), maxBytes: ATTACHMENT_MAX, blockedExtensions: ['exe'] },
    },
  });
  const ws = await createTestWorkspace(server);
  workspaceId = ws.workspaceId;
  adminId = ws.adminId;
  admin = await signIn(server, ws.adminEmail);
  other = await signIn(server, (await createTestWorkspace(server, { name: '他社' })).adminEmail);
  await configureSmtp(admin);
  await configureSmtp(other);
  const p = await admin.post('/api/v1/people', {
    familyName: '添付',
    givenName: '花子',
    emails: [{ label: 'work', address: 'hanako@customer.example' }],
    ignoreDuplicates: true,
  });
  expect(p.status).toBe(201);
  personId = p.body.id;
});
afterAll(async () => {
  await server?.stop();
  await new Promise<void>((r) => (provider ? provider.close(() => r()) : r()));
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('attachments on composed mail', () => {
  it('sends a Japanese-named PDF over SMTP with the same bytes and name, listed on the email and the timeline', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('見積書の本文 '.repeat(50)), Buffer.from([0, 1, 2, 255])]);
    const up = await upload(admin, 'お見積書（2026年度）.pdf', pdf);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ filename: 'お見積書（2026年度）.pdf', contentType: 'application/pdf', size: pdf.length });
    // a draft is nobody's to download yet
    expect((await admin.get(`/api/v1/attachments/${up.body.id}`)).status).toBe(404);

    outbox = [];
    const sent = await admin.post('/api/v1/emails', {
      personId,
      subject: 'お見積書の送付',
      body: '添付をご確認ください。',
      attachmentIds: [up.body.id],
    });
    expect(sent.status).toBe(202);
    expect(sent.body.attachmentCount).toBe(1);
    expect(sent.body.attachments).toEqual([
      { id: up.body.id, filename: 'お見積書（2026年度）.pdf', contentType: 'application/pdf', size: pdf.length },
    ]);
    await waitFor(async () => ((await admin.get(`/api/v1/emails/${sent.body.id}`)).body.status === 'sent' ? true : undefined));
    expect(outbox).toHaveLength(1);
    const mail = await simpleParser(outbox[0]!);
    expect(mail.subject).toBe('お見積書の送付');
    expect(mail.text).toContain('添付をご確認ください。');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.filename).toBe('お見積書（2026年度）.pdf');
    expect(mail.attachments[0]!.contentType).toBe('application/pdf');
    expect(Buffer.compare(mail.attachments[0]!.content, pdf)).toBe(0);

    const download = await admin.get(`/api/v1/attachments/${up.body.id}`);
    expect(download.status).toBe(200);
    const thread = await admin.get(`/api/v1/emails/${sent.body.id}/thread`);
    expect(thread.body.data[0].attachments).toEqual([expect.objectContaining({ id: up.body.id, filename: 'お見積書（2026年度）.pdf' })]);
    const entry = await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${personId}`);
      return tl.body.data?.find(
        (e: { kind: string; summary: { emailId?: string } }) => e.kind === 'email' && e.summary.emailId === sent.body.id,
      );
    });
    expect(entry.summary.attachments).toEqual([{ id: up.body.id, filename: 'お見積書（2026年度）.pdf', size: pdf.length }]);

    // a sent file cannot be sent again as a draft
    const again = await admin.post('/api/v1/emails', { personId, subject: 'x', body: 'y', attachmentIds: [up.body.id] });
    expect(again.status).toBe(400);
    expect(again.body.error.details.issues).toEqual([expect.objectContaining({ path: 'attachmentIds.0', code: 'unknown_attachment' })]);
  });

  it('sends several files; a removed draft is gone', async () => {
    const a = await upload(admin, 'a.txt', Buffer.from('first'), 'text/plain');
    const b = await upload(admin, '資料.csv', Buffer.from('列1,列2\n1,2\n'), 'text/csv');
    const c = await upload(admin, 'drop.txt', Buffer.from('dropped'), 'text/plain');
    expect((await admin.delete(`/api/v1/emails/attachments/${c.body.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/v1/emails/attachments/${c.body.id}`)).status).toBe(404);
    outbox = [];
    const sent = await admin.post('/api/v1/emails', { personId, subject: '資料', body: 'b', attachmentIds: [a.body.id, b.body.id] });
    expect(sent.status).toBe(202);
    await waitFor(async () => ((await admin.get(`/api/v1/emails/${sent.body.id}`)).body.status === 'sent' ? true : undefined));
    const mail = await simpleParser(outbox[0]!);
    expect(mail.attachments.map((x) => [x.filename, x.content.toString('utf8')]).sort()).toEqual([
      ['a.txt', 'first'],
      ['資料.csv', '列1,列2\n1,2\n'],
    ]);
  });

  it('refuses unknown, foreign, oversized and blocked attachments with a clear 4xx, sending and storing nothing', async () => {
    const before = await sentCount();
    outbox = [];
    const send = (attachmentIds: string[], client = admin) =>
      client.post('/api/v1/emails', { personId, subject: '送らない', body: 'x', attachmentIds });

    const unknown = await send(['0190a000-0000-7000-8000-000000000000']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('validation_failed');
    expect(unknown.body.error.details.issues).toEqual([expect.objectContaining({ path: 'attachmentIds.0', code: 'unknown_attachment' })]);

    // another user's draft, in the same workspace
    const colleague = await addUser(server, admin, 'member', '同僚 次郎');
    const theirs = await upload(colleague.client, 'theirs.pdf', Buffer.from('%PDF their file'));
    expect(theirs.status).toBe(201);
    const mine = await upload(admin, 'mine.pdf', Buffer.from('%PDF my file'));
    const foreignUser = await send([mine.body.id, theirs.body.id]);
    expect(foreignUser.status).toBe(400);
    expect(foreignUser.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'attachmentIds.1', code: 'unknown_attachment' }),
    ]);
    expect((await colleague.client.delete(`/api/v1/emails/attachments/${mine.body.id}`)).status).toBe(404);

    // another workspace's draft
    const elsewhere = await upload(other, 'other.pdf', Buffer.from('%PDF other workspace'));
    expect(elsewhere.status).toBe(201);
    const foreignWs = await send([elsewhere.body.id]);
    expect(foreignWs.status).toBe(400);
    expect(foreignWs.body.error.details.issues).toEqual([expect.objectContaining({ path: 'attachmentIds.0', code: 'unknown_attachment' })]);

    // an attachment of something else (an activity's file) is not a draft
    const act = await admin.post('/api/v1/activities', { kind: 'note', body: 'n', links: [{ entityType: 'person', entityId: personId }] });
    const actFile = await admin.request('POST', `/api/v1/activities/${act.body.id}/attachments?filename=n.txt`, Buffer.from('note'), {
      'content-type': 'text/plain',
    });
    expect(actFile.status).toBe(201);
    expect((await send([actFile.body.id])).status).toBe(400);

    // each file within the limit, together over it
    const big1 = await upload(admin, 'big1.pdf', Buffer.alloc(30_000, 1));
    const big2 = await upload(admin, 'big2.pdf', Buffer.alloc(30_000, 2));
    expect(big1.status).toBe(201);
    expect(big2.status).toBe(201);
    const tooLarge = await send([big1.body.id, big2.body.id]);
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.details.issues).toEqual([expect.objectContaining({ path: 'attachmentIds', code: 'too_large' })]);
    // one file over the limit is refused at upload
    expect((await upload(admin, 'huge.pdf', Buffer.alloc(ATTACHMENT_MAX + 1, 1))).status).toBe(413);

    // blocked types are refused at upload, by extension or by content
    const exe = await upload(admin, '請求書.exe', Buffer.from('harmless?'), 'application/octet-stream');
    expect(exe.status).toBeGreaterThanOrEqual(400);
    expect(exe.status).toBeLessThan(500);
    expect(exe.body.error.code).toBe('attachment_type_blocked');
    const disguised = await upload(admin, 'invoice.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(20)]));
    expect(disguised.body.error.code).toBe('attachment_type_blocked');

    const tooMany = await send(Array.from({ length: 21 }, () => mine.body.id));
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body.error.details)).toContain('attachmentIds');
    const duplicate = await send([mine.body.id, mine.body.id]);
    expect(duplicate.status).toBe(400);

    expect(await sentCount()).toBe(before);
    // the refused drafts are still drafts: nothing was moved onto an email
    const [row] = await q('SELECT owner_id FROM attachments WHERE workspace_id = $1 AND id = $2', [workspaceId, mine.body.id]);
    expect(row.owner_id).toBe(adminId);
    const ok = await send([mine.body.id]);
    expect(ok.status).toBe(202);
    await waitFor(async () => ((await admin.get(`/api/v1/emails/${ok.body.id}`)).body.status === 'sent' ? true : undefined));
    expect(outbox).toHaveLength(1);
  });
});
