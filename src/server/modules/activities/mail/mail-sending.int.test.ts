import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { addUser, waitFor } from '../../../../../test/helpers.js';
import { configureSmtp, createPerson, deliver, mailHarness, q } from './mail.test-support.js';

const h = mailHarness();

// Outgoing mail goes to the stand-in provider (the settings journey checks how it is stored).
beforeAll(() => configureSmtp(h));

describe('templates and compose', () => {
  let personId: string;
  let templateId: string;
  let sentMessageId: string;
  let sentEmailId: string;
  let replyEmailId: string;

  it('refuses a template with an unknown merge field (422, nothing stored)', async () => {
    const res = await h.admin.post('/api/v1/mail/templates', {
      name: '壊れた',
      subject: '{{姓}}様',
      body: 'こんにちは {{ニックネーム}} さん',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('mail_unknown_merge_field');
    expect(res.body.error.details.fields).toEqual(['ニックネーム']);
    expect((await h.admin.get('/api/v1/mail/templates')).body.data).toHaveLength(0);
  });

  it('composes from a template with merge fields, sends through SMTP and lands on the timeline', async () => {
    const company = await h.admin.post('/api/v1/companies', { name: '株式会社サンプル', ignoreDuplicates: true });
    expect(company.status).toBe(201);
    personId = (await createPerson(h, '山田', '太郎', 'Taro.Yamada@Customer.example', { companyId: company.body.id })).id;
    const tpl = await h.admin.post('/api/v1/mail/templates', {
      name: 'お礼',
      subject: '{{company}} {{姓}}様 ご面談のお礼',
      body: '{{会社名}}\n{{姓}} {{名}} 様\n\n先日はありがとうございました。\n{{差出人}}',
    });
    expect(tpl.status).toBe(201);
    templateId = tpl.body.id;
    const preview = await h.admin.post('/api/v1/emails/preview', { personId, subject: tpl.body.subject, body: tpl.body.body });
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('株式会社サンプル 山田様 ご面談のお礼');
    expect(preview.body.to).toEqual(['taro.yamada@customer.example']);

    h.outbox = [];
    const sent = await h.admin.post('/api/v1/emails', { personId, templateId, subject: tpl.body.subject, body: tpl.body.body });
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
    await waitFor(async () => ((await h.admin.get(`/api/v1/emails/${sentEmailId}`)).body.status === 'sent' ? true : undefined));
    expect(h.outbox).toHaveLength(1);
    expect(h.outbox[0]!.rcpt).toEqual(['taro.yamada@customer.example']);
    const mail = await simpleParser(h.outbox[0]!.raw);
    expect(mail.subject).toBe('株式会社サンプル 山田様 ご面談のお礼');
    expect(mail.text).toContain('山田 太郎 様');
    expect(mail.text).toContain('管理 太郎');
    expect(mail.messageId).toBe(sentMessageId);

    const entry = await waitFor(async () => {
      const tl = await h.admin.get(`/api/v1/timeline/person/${personId}`);
      return tl.body.data?.find((e: { kind: string }) => e.kind === 'email');
    });
    expect(entry.summary).toMatchObject({ direction: 'out', emailId: sentEmailId, subject: '株式会社サンプル 山田様 ご面談のお礼' });
    // people roll up to their company
    await waitFor(async () => {
      const tl = await h.admin.get(`/api/v1/timeline/company/${company.body.id}`);
      return tl.body.data?.find((e: { kind: string }) => e.kind === 'email');
    });
    const list = await h.admin.get(`/api/v1/emails?personId=${personId}`);
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([sentEmailId]);
  });

  it('stores a reply sent to the inbound address over real SMTP: matched, threaded, on the timeline', async () => {
    await deliver(h, {
      from: '山田 太郎 <taro.yamada@customer.example>',
      to: 'sales@example.jp',
      envelope: { from: 'taro.yamada@customer.example', to: [h.inboundAddress] },
      subject: 'Re: 株式会社サンプル 山田様 ご面談のお礼',
      text: 'こちらこそありがとうございました。',
      html: '<p onclick="alert(1)">こちらこそ<script>alert(2)</script><style>p{}</style><img src="https://tracker.example/p.gif"><a href="javascript:alert(3)">x</a></p>',
      inReplyTo: sentMessageId,
      references: [sentMessageId],
      messageId: '<reply-1@customer.example>',
      attachments: [{ filename: '見積書.pdf', content: Buffer.from('%PDF-1.4 test'), contentType: 'application/pdf' }],
    });
    const [row] = await q(
      h,
      'SELECT id, thread_id, review_state, direction FROM email_messages WHERE workspace_id = $1 AND message_id = $2',
      [h.workspaceId, '<reply-1@customer.example>'],
    );
    expect(row).toMatchObject({ thread_id: sentEmailId, review_state: 'none', direction: 'in' });
    replyEmailId = row.id;
    const email = await h.admin.get(`/api/v1/emails/${row.id}`);
    expect(email.status).toBe(200);
    expect(email.body.people).toEqual([{ id: personId, name: '山田 太郎', role: 'from' }]);
    expect(email.body.html).toContain('こちらこそ');
    for (const bad of ['<script', 'onclick', '<style', 'javascript:', 'tracker.example']) expect(email.body.html).not.toContain(bad);
    expect(email.body.hasRemoteImages).toBe(true);
    const withImages = await h.admin.get(`/api/v1/emails/${row.id}?remoteImages=true`);
    expect(withImages.body.html).toContain('https://tracker.example/p.gif');
    expect(email.body.attachments).toEqual([expect.objectContaining({ filename: '見積書.pdf', contentType: 'application/pdf', size: 13 })]);
    const file = await h.admin.get(`/api/v1/attachments/${email.body.attachments[0].id}`);
    expect(file.status).toBe(200);

    const thread = await h.admin.get(`/api/v1/emails/${sentEmailId}/thread`);
    expect(thread.body.data.map((e: { id: string }) => e.id)).toEqual([sentEmailId, row.id]);
    await waitFor(async () => {
      const tl = await h.admin.get(`/api/v1/timeline/person/${personId}`);
      return tl.body.data?.find((e: { summary: { emailId?: string } }) => e.summary.emailId === row.id);
    });

    // the same message again (a retried delivery): stored once
    await deliver(h, {
      from: 'taro.yamada@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'taro.yamada@customer.example', to: [h.inboundAddress] },
      subject: 'Re: again',
      text: 'dup',
      messageId: '<reply-1@customer.example>',
    });
    const count = await q(h, 'SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      h.workspaceId,
      '<reply-1@customer.example>',
    ]);
    expect(count[0].n).toBe(1);
  });

  it('answers within the conversation: In-Reply-To and References point at the thread', async () => {
    h.outbox = [];
    const res = await h.admin.post('/api/v1/emails', {
      personId,
      subject: 'Re: ご面談のお礼',
      body: 'ご返信ありがとうございます。',
      replyToEmailId: replyEmailId,
    });
    expect(res.status).toBe(202);
    expect(res.body.threadId).toBe(sentEmailId);
    await waitFor(async () => (h.outbox.length === 1 ? true : undefined));
    const mail = await simpleParser(h.outbox[0]!.raw);
    expect(mail.inReplyTo).toBe('<reply-1@customer.example>');
    expect(mail.references).toEqual([sentMessageId, '<reply-1@customer.example>']);
    const thread = await h.admin.get(`/api/v1/emails/${replyEmailId}/thread`);
    expect(thread.body.data.map((e: { id: string }) => e.id)).toEqual([sentEmailId, replyEmailId, res.body.id]);
    const foreign = await h.other.post('/api/v1/emails', { personId, subject: 'x', body: 'y', replyToEmailId: replyEmailId });
    expect(foreign.status).toBe(404);
  });

  it('refuses compose input it cannot use with clear 4xx and sends nothing', async () => {
    h.outbox = [];
    const bad = await h.admin.post('/api/v1/emails', { personId, subject: 'x', body: 'y', to: ['not-an-address'] });
    expect(bad.status).toBe(400);
    const unknownField = await h.admin.post('/api/v1/emails', { personId, subject: '{{foo}}', body: 'y' });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.error.details.fields).toEqual(['foo']);
    const missing = await h.admin.post('/api/v1/emails', { personId: '0190a000-0000-7000-8000-000000000000', subject: 'x', body: 'y' });
    expect(missing.status).toBe(404);
    const noAddress = await h.admin.post('/api/v1/people', { familyName: '無', ignoreDuplicates: true });
    const none = await h.admin.post('/api/v1/emails', { personId: noAddress.body.id, subject: 'x', body: 'y' });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('mail_no_recipient');
    expect(h.outbox).toHaveLength(0);
    const notJson = await h.admin.request('POST', '/api/v1/emails', 'garbage', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
  });

  it('marks mail the SMTP server refuses as failed, tells its author, and puts nothing on the timeline', async () => {
    h.rejectRecipients = true;
    let id: string;
    try {
      const res = await h.admin.post('/api/v1/emails', { personId, subject: '届かない', body: 'x' });
      expect(res.status).toBe(202);
      id = res.body.id;
      const failed = await waitFor(async () => {
        const e = await h.admin.get(`/api/v1/emails/${id}`);
        return e.body.status === 'failed' ? e.body : undefined;
      });
      expect(failed.error).toContain('550');
    } finally {
      h.rejectRecipients = false;
    }
    const note = await waitFor(async () => {
      const res = await h.admin.get('/api/v1/notifications');
      return res.body.data?.find((n: { kind: string }) => n.kind === 'email_failed');
    });
    expect(note).toMatchObject({ link: `/emails/${id}`, params: { subject: '届かない' } });
    const tl = await h.admin.get(`/api/v1/timeline/person/${personId}`);
    expect(tl.body.data.some((e: { summary: { emailId?: string } }) => e.summary.emailId === id)).toBe(false);
  });

  it('retries after a temporary refusal (451) and then sends', async () => {
    h.outbox = [];
    h.temporaryFailures = 1;
    const res = await h.admin.post('/api/v1/emails', { personId, subject: '再送', body: 'x' });
    expect(res.status).toBe(202);
    const sent = await waitFor(async () => {
      const e = await h.admin.get(`/api/v1/emails/${res.body.id}`);
      return e.body.status === 'sent' ? e.body : undefined;
    }, 30_000);
    expect(sent.error).toBeNull();
    expect(h.outbox).toHaveLength(1);
    expect(h.temporaryFailures).toBe(0);
    const [row] = await q(h, 'SELECT send_attempts FROM email_messages WHERE workspace_id = $1 AND id = $2', [h.workspaceId, res.body.id]);
    expect(row.send_attempts).toBe(2);
  }, 40_000);

  it("keeps another workspace's mail and people out of reach (404)", async () => {
    expect((await h.other.get(`/api/v1/emails/${sentEmailId}`)).status).toBe(404);
    expect((await h.other.get(`/api/v1/emails/${sentEmailId}/thread`)).status).toBe(404);
    expect((await h.other.get(`/api/v1/mail/templates/${templateId}`)).status).toBe(404);
    const compose = await h.other.post('/api/v1/emails', { personId, subject: 'x', body: 'y' });
    expect(compose.status).toBe(404);
    const preview = await h.other.post('/api/v1/emails/preview', { personId, subject: 'x', body: 'y' });
    expect(preview.status).toBe(404);
    expect((await h.other.get(`/api/v1/emails?personId=${personId}`)).status).toBe(404);
  });

  it("hides mail about people a member may not see (visibility 'own'), attachments included", async () => {
    const owned = await createPerson(h, '秘密', '花子', 'hanako.secret@customer.example', { ownerId: h.adminId });
    await deliver(h, {
      from: 'hanako.secret@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'hanako.secret@customer.example', to: [h.inboundAddress] },
      subject: '内密のご相談',
      text: '社外秘',
      messageId: '<secret-1@customer.example>',
      attachments: [{ filename: 'memo.txt', content: Buffer.from('secret memo') }],
    });
    const [row] = await q(h, 'SELECT id FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      h.workspaceId,
      '<secret-1@customer.example>',
    ]);
    const email = await h.admin.get(`/api/v1/emails/${row.id}`);
    expect(email.status).toBe(200);
    const ws = await h.admin.get('/api/v1/workspace');
    expect((await h.admin.patch('/api/v1/workspace', { version: ws.body.version, visibility: { member: 'own' } })).status).toBe(200);
    const member = await addUser(h.server, h.admin, 'member', '佐藤 一郎');
    expect((await member.client.get(`/api/v1/emails/${row.id}`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/emails/${row.id}/thread`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/emails?personId=${owned.id}`)).status).toBe(404);
    expect((await member.client.get(`/api/v1/attachments/${email.body.attachments[0].id}`)).status).toBe(404);
    expect((await member.client.post('/api/v1/emails', { personId: owned.id, subject: 'x', body: 'y' })).status).toBe(404);
    expect((await h.admin.get(`/api/v1/attachments/${email.body.attachments[0].id}`)).status).toBe(200);
    const ws2 = await h.admin.get('/api/v1/workspace');
    await h.admin.patch('/api/v1/workspace', { version: ws2.body.version, visibility: { member: 'all' } });
  });

  it('says outgoing mail is not configured (409) when the workspace has no SMTP', async () => {
    const p = await h.other.post('/api/v1/people', {
      familyName: '佐藤',
      emails: [{ address: 'sato@example.test' }],
      ignoreDuplicates: true,
    });
    const res = await h.other.post('/api/v1/emails', { personId: p.body.id, subject: 'x', body: 'y' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('mail_not_configured');
  });
});
