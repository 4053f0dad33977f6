import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { RunningServer } from '../../../server.js';

/** An SMTP server standing in for the workspace's mail provider: keeps what it receives. */
interface Captured {
  from: string | undefined;
  rcpt: string[];
  raw: Buffer;
  auth?: { username?: string; password?: string };
}
let outbox: Captured[] = [];
let rejectRecipients = false;
/** Answer this many RCPT TO with 451 (try again later) before accepting. */
let temporaryFailures = 0;
let provider: SMTPServer;
let providerPort: number;

let server: RunningServer;
let admin: TestClient;
let workspaceId: string;
let adminId: string;
let other: TestClient;
let inboundAddress: string;
let dataDir: string;
const MAX_BYTES = 300_000;
const ATTACHMENT_MAX = 50_000;

function deliver(message: SendMailOptions & { envelope?: { from: string; to: string[] } }) {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: server.mailReceiver.port, secure: false, ignoreTLS: true });
  return client.sendMail(message).finally(() => client.close());
}

async function q(text: string, values: unknown[] = []) {
  return (await server.database.pool.query(text, values)).rows;
}

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
      if (temporaryFailures > 0) {
        temporaryFailures -= 1;
        return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
      }
      callback(rejectRecipients ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        outbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          auth: session.user as Captured['auth'],
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', () => resolve()));
  providerPort = (provider.server.address() as { port: number }).port;

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-mail-'));
  server = await startTestServer({
    config: {
      dataDir,
      mailInbound: { port: 0, host: '127.0.0.1', maxBytes: MAX_BYTES },
      attachments: { dir: path.join(dataDir, 'attachments'), maxBytes: ATTACHMENT_MAX, blockedExtensions: ['exe'] },
    },
  });
  const ws = await createTestWorkspace(server);
  workspaceId = ws.workspaceId;
  adminId = ws.adminId;
  admin = await signIn(server, ws.adminEmail);
  const ws2 = await createTestWorkspace(server, { name: '他社' });
  other = await signIn(server, ws2.adminEmail);
});
afterAll(async () => {
  await server?.stop();
  await new Promise<void>((r) => (provider ? provider.close(() => r()) : r()));
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function configureSmtp(client = admin) {
  const current = await client.get('/api/v1/mail/settings');
  const res = await client.patch('/api/v1/mail/settings', {
    version: current.body.version,
    smtp: {
      host: '127.0.0.1',
      port: providerPort,
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

async function createPerson(familyName: string, givenName: string, email: string, extra: Record<string, unknown> = {}) {
  const res = await admin.post('/api/v1/people', {
    familyName,
    givenName,
    emails: [{ label: 'work', address: email }],
    ignoreDuplicates: true,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe('mail settings', () => {
  it('encrypts the SMTP password at rest, never returns it, and shows the inbound address', async () => {
    const before = await admin.get('/api/v1/mail/settings');
    expect(before.status).toBe(200);
    expect(before.body.smtp).toMatchObject({ configured: false, hasPassword: false });
    expect(before.body.inbound.receiverRunning).toBe(true);
    expect(before.body.inbound.address).toMatch(/^[a-z0-9]{20}@/);
    const saved = await configureSmtp();
    expect(saved.smtp).toMatchObject({ configured: true, hasPassword: true, fromAddress: 'sales@example.jp', security: 'none' });
    expect(JSON.stringify(saved)).not.toContain('s3cret-pass');
    const [row] = await q('SELECT smtp_password_enc, inbound_token FROM mail_settings WHERE workspace_id = $1', [workspaceId]);
    expect(row.smtp_password_enc).toMatch(/^v1\./);
    expect(row.smtp_password_enc).not.toContain('s3cret');
    inboundAddress = `${row.inbound_token}@crm.example.test`;
    const audit = await q(`SELECT after::text AS after FROM audit_log WHERE workspace_id = $1 AND action = 'mail_settings.updated'`, [
      workspaceId,
    ]);
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.map((a) => a.after).join()).not.toContain('s3cret');
  });

  it('sends a test message with the stored credentials; a stale version is 409 with the current settings', async () => {
    outbox = [];
    const res = await admin.post('/api/v1/mail/settings/test', { to: 'admin@example.test' });
    expect(res.status).toBe(200);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.auth).toMatchObject({ username: 'crm-user', password: 's3cret-pass' });
    const stale = await admin.patch('/api/v1/mail/settings', { version: 1, smtp: { fromName: 'x' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.smtp.fromName).toBe('テスト株式会社 営業部');
  });

  it('rejects bad settings with 400 and changes nothing; members may not read them', async () => {
    const current = await admin.get('/api/v1/mail/settings');
    const bad = await admin.patch('/api/v1/mail/settings', {
      version: current.body.version,
      smtp: { port: 70000, fromAddress: 'not an address' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const after = await admin.get('/api/v1/mail/settings');
    expect(after.body.version).toBe(current.body.version);
    const member = await addUser(server, admin, 'member');
    expect((await member.client.get('/api/v1/mail/settings')).status).toBe(403);
    expect((await member.client.post('/api/v1/mail/settings/test', { to: 'a@example.test' })).status).toBe(403);
  });
});

describe('templates and compose', () => {
  let personId: string;
  let templateId: string;
  let sentMessageId: string;
  let sentEmailId: string;
  let replyEmailId: string;

  it('refuses a template with an unknown merge field (422, nothing stored)', async () => {
    const res = await admin.post('/api/v1/mail/templates', {
      name: '壊れた',
      subject: '{{姓}}様',
      body: 'こんにちは {{ニックネーム}} さん',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('mail_unknown_merge_field');
    expect(res.body.error.details.fields).toEqual(['ニックネーム']);
    expect((await admin.get('/api/v1/mail/templates')).body.data).toHaveLength(0);
  });

  it('composes from a template with merge fields, sends through SMTP and lands on the timeline', async () => {
    const company = await admin.post('/api/v1/companies', { name: '株式会社サンプル', ignoreDuplicates: true });
    expect(company.status).toBe(201);
    personId = (await createPerson('山田', '太郎', 'Taro.Yamada@Customer.example', { companyId: company.body.id })).id;
    const tpl = await admin.post('/api/v1/mail/templates', {
      name: 'お礼',
      subject: '{{company}} {{姓}}様 ご面談のお礼',
      body: '{{会社名}}\n{{姓}} {{名}} 様\n\n先日はありがとうございました。\n{{差出人}}',
    });
    expect(tpl.status).toBe(201);
    templateId = tpl.body.id;
    const preview = await admin.post('/api/v1/emails/preview', { personId, subject: tpl.body.subject, body: tpl.body.body });
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('株式会社サンプル 山田様 ご面談のお礼');
    expect(preview.body.to).toEqual(['taro.yamada@customer.example']);

    outbox = [];
    const sent = await admin.post('/api/v1/emails', { personId, templateId, subject: tpl.body.subject, body: tpl.body.body });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      direction: 'out',
      subject: '株式会社サンプル 山田様 ご面談のお礼',
      reviewState: 'none',
      status: 'queued',
    });
    expect(sent.body.people).toEqual([{ id: personId, name: '山田 太郎', role: 'to' }]);
    sentEmailId = sent.body.id;
    sentMessageId = sent.body.messageId;
    // the outbox consumer sends it, then records it as sent
    await waitFor(async () => ((await admin.get(`/api/v1/emails/${sentEmailId}`)).body.status === 'sent' ? true : undefined));
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.rcpt).toEqual(['taro.yamada@customer.example']);
    const mail = await simpleParser(outbox[0]!.raw);
    expect(mail.subject).toBe('株式会社サンプル 山田様 ご面談のお礼');
    expect(mail.text).toContain('山田 太郎 様');
    expect(mail.text).toContain('管理 太郎');
    expect(mail.messageId).toBe(sentMessageId);

    const entry = await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${personId}`);
      return tl.body.data?.find((e: { kind: string }) => e.kind === 'email');
    });
    expect(entry.summary).toMatchObject({ direction: 'out', emailId: sentEmailId, subject: '株式会社サンプル 山田様 ご面談のお礼' });
    // people roll up to their company
    await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/company/${company.body.id}`);
      return tl.body.data?.find((e: { kind: string }) => e.kind === 'email');
    });
    const list = await admin.get(`/api/v1/emails?personId=${personId}`);
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([sentEmailId]);
  });

  it('stores a reply sent to the inbound address over real SMTP: matched, threaded, on the timeline', async () => {
    await deliver({
      from: '山田 太郎 <taro.yamada@customer.example>',
      to: 'sales@example.jp',
      envelope: { from: 'taro.yamada@customer.example', to: [inboundAddress] },
      subject: 'Re: 株式会社サンプル 山田様 ご面談のお礼',
      text: 'こちらこそありがとうございました。',
      html: '<p onclick="alert(1)">こちらこそ<script>alert(2)</script><style>p{}</style><img src="https://tracker.example/p.gif"><a href="javascript:alert(3)">x</a></p>',
      inReplyTo: sentMessageId,
      references: [sentMessageId],
      messageId: '<reply-1@customer.example>',
      attachments: [{ filename: '見積書.pdf', content: Buffer.from('%PDF-1.4 test'), contentType: 'application/pdf' }],
    });
    const [row] = await q('SELECT id, thread_id, review_state, direction FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      workspaceId,
      '<reply-1@customer.example>',
    ]);
    expect(row).toMatchObject({ thread_id: sentEmailId, review_state: 'none', direction: 'in' });
    replyEmailId = row.id;
    const email = await admin.get(`/api/v1/emails/${row.id}`);
    expect(email.status).toBe(200);
    expect(email.body.people).toEqual([{ id: personId, name: '山田 太郎', role: 'from' }]);
    expect(email.body.html).toContain('こちらこそ');
    for (const bad of ['<script', 'onclick', '<style', 'javascript:', 'tracker.example']) expect(email.body.html).not.toContain(bad);
    expect(email.body.hasRemoteImages).toBe(true);
    const withImages = await admin.get(`/api/v1/emails/${row.id}?remoteImages=true`);
    expect(withImages.body.html).toContain('https://tracker.example/p.gif');
    expect(email.body.attachments).toEqual([expect.objectContaining({ filename: '見積書.pdf', contentType: 'application/pdf', size: 13 })]);
    const file = await admin.get(`/api/v1/attachments/${email.body.attachments[0].id}`);
    expect(file.status).toBe(200);

    const thread = await admin.get(`/api/v1/emails/${sentEmailId}/thread`);
    expect(thread.body.data.map((e: { id: string }) => e.id)).toEqual([sentEmailId, row.id]);
    await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${personId}`);
      return tl.body.data?.find((e: { summary: { emailId?: string } }) => e.summary.emailId === row.id);
    });

    // the same message again (a retried delivery): stored once
    await deliver({
      from: 'taro.yamada@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'taro.yamada@customer.example', to: [inboundAddress] },
      subject: 'Re: again',
      text: 'dup',
      messageId: '<reply-1@customer.example>',
    });
    const count = await q('SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      workspaceId,
      '<reply-1@customer.example>',
    ]);
    expect(count[0].n).toBe(1);
  });

  it('answers within the conversation: In-Reply-To and References point at the thread', async () => {
    outbox = [];
    const res = await admin.post('/api/v1/emails', {
      personId,
      subject: 'Re: ご面談のお礼',
      body: 'ご返信ありがとうございます。',
      replyToEmailId: replyEmailId,
    });
    expect(res.status).toBe(202);
    expect(res.body.threadId).toBe(sentEmailId);
    await waitFor(async () => (outbox.length === 1 ? true : undefined));
    const mail = await simpleParser(outbox[0]!.raw);
    expect(mail.inReplyTo).toBe('<reply-1@customer.example>');
    expect(mail.references).toEqual([sentMessageId, '<reply-1@customer.example>']);
    const thread = await admin.get(`/api/v1/emails/${replyEmailId}/thread`);
    expect(thread.body.data.map((e: { id: string }) => e.id)).toEqual([sentEmailId, replyEmailId, res.body.id]);
    const foreign = await other.post('/api/v1/emails', { personId, subject: 'x', body: 'y', replyToEmailId: replyEmailId });
    expect(foreign.status).toBe(404);
  });

  it('refuses compose input it cannot use with clear 4xx and sends nothing', async () => {
    outbox = [];
    const bad = await admin.post('/api/v1/emails', { personId, subject: 'x', body: 'y', to: ['not-an-address'] });
    expect(bad.status).toBe(400);
    const unknownField = await admin.post('/api/v1/emails', { personId, subject: '{{foo}}', body: 'y' });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.error.details.fields).toEqual(['foo']);
    const missing = await admin.post('/api/v1/emails', { personId: '0190a000-0000-7000-8000-000000000000', subject: 'x', body: 'y' });
    expect(missing.status).toBe(404);
    const noAddress = await admin.post('/api/v1/people', { familyName: '無', ignoreDuplicates: true });
    const none = await admin.post('/api/v1/emails', { personId: noAddress.body.id, subject: 'x', body: 'y' });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('mail_no_recipient');
    expect(outbox).toHaveLength(0);
    const notJson = await admin.request('POST', '/api/v1/emails', 'garbage', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
  });

  it('marks mail the SMTP server refuses as failed, tells its author, and puts nothing on the timeline', async () => {
    rejectRecipients = true;
    let id: string;
    try {
      const res = await admin.post('/api/v1/emails', { personId, subject: '届かない', body: 'x' });
      expect(res.status).toBe(202);
      id = res.body.id;
      const failed = await waitFor(async () => {
        const e = await admin.get(`/api/v1/emails/${id}`);
        return e.body.status === 'failed' ? e.body : undefined;
      });
      expect(failed.error).toContain('550');
    } finally {
      rejectRecipients = false;
    }
    const note = await waitFor(async () => {
      const res = await admin.get('/api/v1/notifications');
      return res.body.data?.find((n: { kind: string }) => n.kind === 'email_failed');
    });
    expect(note).toMatchObject({ link: `/emails/${id}`, params: { subject: '届かない' } });
    const tl = await admin.get(`/api/v1/timeline/person/${personId}`);
    expect(tl.body.data.some((e: { summary: { emailId?: string } }) => e.summary.emailId === id)).toBe(false);
  });

  it('retries after a temporary refusal (451) and then sends', async () => {
    outbox = [];
    temporaryFailures = 1;
    const res = await admin.post('/api/v1/emails', { personId, subject: '再送', body: 'x' });
    expect(res.status).toBe(202);
    const sent = await waitFor(async () => {
      const e = await admin.get(`/api/v1/emails/${res.body.id}`);
      return e.body.status === 'sent' ? e.body : undefined;
    }, 30_000);
    expect(sent.error).toBeNull();
    expect(outbox).toHaveLength(1);
    expect(temporaryFailures).toBe(0);
    const [row] = await q('SELECT send_attempts FROM email_messages WHERE workspace_id = $1 AND id = $2', [workspaceId, res.body.id]);
    expect(row.send_attempts).toBe(2);
  }, 40_000);

  it("keeps another workspace's mail and people out of reach (404)", async () => {
    expect((await other.get(`/api/v1/emails/${sentEmailId}`)).status).toBe(404);
    expect((await other.get(`/api/v1/emails/${sentEmailId}/thread`)).status).toBe(404);
    expect((await other.get(`/api/v1/mail/templates/${templateId}`)).status).toBe(404);
    const compose = await other.post('/api/v1/emails', { personId, subject: 'x', body: 'y' });
    expect(compose.status).toBe(404);
    const preview = await other.post('/api/v1/emails/preview', { personId, subject: 'x', body: 'y' });
    expect(preview.status).toBe(404);
    expect((await other.get(`/api/v1/emails?personId=${personId}`)).status).toBe(404);
  });

  it("hides mail about people a member may not see (visibility 'own'), attachments included", async () => {
    const owned = await createPerson('秘密', '花子', 'hanako.secret@customer.example', { ownerId: adminId });
    await deliver({
      from: 'hanako.secret@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'hanako.secret@customer.example', to: [inboundAddress] },
      subject: '内密のご相談',
      text: '社外秘',
      messageId: '<secret-1@customer.example>',
      attachments: [{ filename: 'memo.txt', content: Buffer.from('secret memo') }],
    });
    const [row] = await q('SELECT id FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      workspaceId,
      '<secret-1@customer.example>',
    ]);
    const email = await admin.get(`/api/v1/emails/${row.id}`);
    expect(email.status).toBe(200);
    const ws = await admin.get('/api/v1/workspace');
    expect((await admin.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } })).status).toBe(200);
    const member = await addUser(server, admin, 'member', '佐藤 一郎');
    expect((await member.client.get(`/api/v1/emails/${row.id}`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/emails/${row.id}/thread`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/emails?personId=${owned.id}`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/attachments/${email.body.attachments[0].id}`)).status).toBe(404);
    expect((await member.client.post('/api/v1/emails', { personId: owned.id, subject: 'x', body: 'y' })).status).toBe(404);
    expect((await admin.get(`/api/v1/attachments/${email.body.attachments[0].id}`)).status).toBe(200);
    const ws2 = await admin.get('/api/v1/workspace');
    await admin.patch('/api/v1/workspace', { version: ws2.body.version, visibility: { member: 'all' } });
  });

  it('says outgoing mail is not configured (409) when the workspace has no SMTP', async () => {
    const p = await other.post('/api/v1/people', {
      familyName: '佐藤',
      emails: [{ address: 'sato@example.test' }],
      ignoreDuplicates: true,
    });
    const res = await other.post('/api/v1/emails', { personId: p.body.id, subject: 'x', body: 'y' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('mail_not_configured');
  });
});

describe('inbound mail from unknown senders and bad messages', () => {
  it('puts mail from an unknown sender on the review list, notifies admins, and links it to a person', async () => {
    for (const n of [1, 2]) {
      await deliver({
        from: 'New Prospect <prospect@newco.example>',
        to: 'sales@example.jp',
        envelope: { from: 'prospect@newco.example', to: [inboundAddress] },
        subject: `資料請求 ${n}`,
        text: '資料を送ってください。',
      });
    }
    const review = await admin.get('/api/v1/mail/review');
    expect(review.status).toBe(200);
    expect(review.body.data.map((e: { subject: string }) => e.subject)).toEqual(['資料請求 2', '資料請求 1']);
    const notes = await waitFor(async () => {
      const res = await admin.get('/api/v1/notifications');
      const found = res.body.data?.filter((n: { kind: string }) => n.kind === 'email_unmatched');
      return found?.length === 2 ? found : undefined;
    });
    expect(notes[0]).toMatchObject({ link: '/mail/review', params: { from: 'prospect@newco.example' } });

    // an existing person known by another address
    const person = await createPerson('新規', '見込', 'prospect.other@newco.example');
    const linked = await admin.post(`/api/v1/mail/review/${review.body.data[0].id}/link`, { personId: person.id });
    expect(linked.status).toBe(200);
    expect(linked.body.linked).toBe(2);
    expect((await admin.get('/api/v1/mail/review')).body.data).toEqual([]);
    // linking again to the same person is a no-op; to someone else, the message is no longer on the list
    expect((await admin.post(`/api/v1/mail/review/${review.body.data[0].id}/link`, { personId: person.id })).body.linked).toBe(0);
    const someoneElse = await createPerson('別人', '太郎', 'else@newco.example');
    expect((await admin.post(`/api/v1/mail/review/${review.body.data[0].id}/link`, { personId: someoneElse.id })).status).toBe(404);
    await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${person.id}`);
      const n = tl.body.data?.filter((e: { kind: string }) => e.kind === 'email').length;
      return n === 2 ? true : undefined;
    });
    // the person gets this address: the next message from them is matched at once
    const current = await admin.get(`/api/v1/people/${person.id}`);
    const patched = await admin.patch(`/api/v1/people/${person.id}`, {
      version: current.body.version,
      emails: [...current.body.emails, { label: 'work', address: 'prospect@newco.example' }],
    });
    expect(patched.status).toBe(200);
    await deliver({
      from: 'prospect@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'prospect@newco.example', to: [inboundAddress] },
      subject: '追伸',
      text: 'よろしくお願いします。',
    });
    expect((await admin.get('/api/v1/mail/review')).body.data).toEqual([]);
  });

  it('files waiting mail when a person with that address is created, without anyone linking it', async () => {
    await deliver({
      from: 'later.customer@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'later.customer@newco.example', to: [inboundAddress] },
      subject: 'はじめまして',
      text: 'x',
    });
    const pending = (await admin.get('/api/v1/mail/review')).body.data;
    expect(pending.map((e: { subject: string }) => e.subject)).toEqual(['はじめまして']);
    const person = await createPerson('後日', '登録', 'Later.Customer@newco.example');
    await waitFor(async () => ((await admin.get('/api/v1/mail/review')).body.data.length === 0 ? true : undefined));
    await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${person.id}`);
      return tl.body.data?.find((e: { summary: { emailId?: string } }) => e.summary.emailId === pending[0].id);
    });
  });

  it('answers 550 for an unknown recipient address', async () => {
    const err = await deliver({
      from: 'someone@example.test',
      to: 'nobody@example.test',
      envelope: { from: 'someone@example.test', to: ['doesnotexist0000000000@crm.example.test'] },
      subject: 'x',
      text: 'x',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.responseCode).toBe(550);
  });

  it('refuses an oversize message and an oversize attachment with 552, storing nothing', async () => {
    const before = await q('SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1', [workspaceId]);
    const big = await deliver({
      from: 'prospect@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'prospect@newco.example', to: [inboundAddress] },
      subject: '大きすぎる',
      text: 'x'.repeat(MAX_BYTES + 10_000),
    }).catch((e) => e);
    expect(big.responseCode).toBe(552);
    const att = await deliver({
      from: 'prospect@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'prospect@newco.example', to: [inboundAddress] },
      subject: '添付が大きい',
      text: 'x',
      attachments: [{ filename: 'big.bin', content: Buffer.alloc(ATTACHMENT_MAX + 1, 1) }],
    }).catch((e) => e);
    expect(att.responseCode).toBe(552);
    const after = await q('SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1', [workspaceId]);
    expect(after[0].n).toBe(before[0].n);
  });

  it('refuses a malformed message without a From address with 550', async () => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: server.mailReceiver.port, secure: false, ignoreTLS: true });
    const err = await client
      .sendMail({ envelope: { from: 'x@example.test', to: [inboundAddress] }, raw: 'Subject: broken\r\nThis is not a header\r\n\r\nbody' })
      .catch((e) => e)
      .finally(() => client.close());
    expect(err.responseCode).toBe(550);
    expect(await q(`SELECT 1 FROM email_messages WHERE workspace_id = $1 AND subject = 'broken'`, [workspaceId])).toHaveLength(0);
  });
});

describe('merged people', () => {
  it("moves the merged person's mail to the survivor", async () => {
    const survivor = await createPerson('統合', '先', 'survivor@customer.example');
    const merged = await createPerson('統合', '元', 'merged@customer.example');
    await deliver({
      from: 'merged@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'merged@customer.example', to: [inboundAddress] },
      subject: '統合前のメール',
      text: 'x',
      messageId: '<merge-1@customer.example>',
    });
    const [row] = await q('SELECT id FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      workspaceId,
      '<merge-1@customer.example>',
    ]);
    const versions = await Promise.all([admin.get(`/api/v1/people/${survivor.id}`), admin.get(`/api/v1/people/${merged.id}`)]);
    const res = await admin.post('/api/v1/people/merge', {
      survivorId: survivor.id,
      mergedId: merged.id,
      survivorVersion: versions[0].body.version,
      mergedVersion: versions[1].body.version,
    });
    expect(res.status).toBe(200);
    const list = await waitFor(async () => {
      const r = await admin.get(`/api/v1/emails?personId=${survivor.id}`);
      return r.body.data?.length ? r.body.data : undefined;
    });
    expect(list.map((e: { id: string }) => e.id)).toEqual([row.id]);
    expect((await admin.get(`/api/v1/emails/${row.id}`)).body.people).toEqual([{ id: survivor.id, name: '統合 先', role: 'from' }]);
  });
});

describe('OpenAPI', () => {
  it('documents the mail routes with their schemas', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    for (const p of [
      '/api/v1/emails',
      '/api/v1/emails/{id}/thread',
      '/api/v1/mail/settings',
      '/api/v1/mail/templates',
      '/api/v1/mail/review/{id}/link',
    ]) {
      expect(doc.paths[p]).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/v1/mail/settings'].patch.requestBody)).toContain('regenerateInboundToken');
  });
});

describe('personal data requests (APPI)', () => {
  it("discloses a person's mail and erases it on a deletion request, keeping mail shared with others", async () => {
    const subject = await createPerson('削除', '対象', 'erase.me@customer.example');
    const colleague = await createPerson('同僚', '残る', 'stays@customer.example');
    await deliver({
      from: 'erase.me@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'erase.me@customer.example', to: [inboundAddress] },
      subject: '個人的な相談',
      text: '住所は東京都…',
      messageId: '<erase-1@customer.example>',
      attachments: [{ filename: '本人確認.txt', content: Buffer.from('id card') }],
    });
    await deliver({
      from: 'erase.me@customer.example',
      to: 'stays@customer.example',
      envelope: { from: 'erase.me@customer.example', to: [inboundAddress] },
      subject: '共有の連絡',
      text: 'cc',
      messageId: '<erase-2@customer.example>',
    });
    const exported = await admin.get(`/api/v1/people/${subject.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.modules.email.map((e: { subject: string }) => e.subject)).toEqual(['個人的な相談', '共有の連絡']);
    expect(exported.body.modules.email[0].attachments).toEqual([expect.objectContaining({ filename: '本人確認.txt' })]);
    const [file] = await q(
      `SELECT a.storage_key FROM attachments a JOIN email_messages e ON e.workspace_id = a.workspace_id AND e.id = a.owner_id
        WHERE a.workspace_id = $1 AND e.message_id = '<erase-1@customer.example>'`,
      [workspaceId],
    );
    expect(fs.existsSync(path.join(dataDir, 'attachments', file.storage_key))).toBe(true);

    const erased = await admin.post(`/api/v1/people/${subject.id}/erase`, {
      reason: '本人からの削除請求',
      requestedAt: '2026-11-01T10:00:00+09:00',
    });
    expect(erased.status).toBe(200);
    await waitFor(async () =>
      (await q(`SELECT 1 FROM email_messages WHERE workspace_id = $1 AND message_id = '<erase-1@customer.example>'`, [workspaceId]))
        .length === 0
        ? true
        : undefined,
    );
    // the file goes right after the rows' transaction commits
    await waitFor(async () => (fs.existsSync(path.join(dataDir, 'attachments', file.storage_key)) ? undefined : true));
    const shared = await q(
      `SELECT e.id, array_agg(l.person_id::text) AS people FROM email_messages e JOIN email_links l ON l.workspace_id = e.workspace_id AND l.email_id = e.id
        WHERE e.workspace_id = $1 AND e.message_id = '<erase-2@customer.example>' GROUP BY e.id`,
      [workspaceId],
    );
    expect(shared).toHaveLength(1);
    expect(shared[0].people).toEqual([colleague.id]);
    const audit = await q(`SELECT after::text AS a FROM audit_log WHERE workspace_id = $1 AND entity_type = 'email'`, [workspaceId]);
    expect(audit.map((r) => r.a).join()).not.toContain('erase.me@customer.example');
  });
});
