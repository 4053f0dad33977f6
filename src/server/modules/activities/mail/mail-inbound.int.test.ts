import nodemailer from 'nodemailer';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../../test/helpers.js';
import { ATTACHMENT_MAX, configureSmtp, createPerson, deliver, MAX_BYTES, mailHarness, q } from './mail.test-support.js';

const h = mailHarness();

// As in the workspace that receives these: outgoing mail configured (replies and notices can go out).
beforeAll(() => configureSmtp(h));

describe('inbound mail from unknown senders and bad messages', () => {
  it('puts mail from an unknown sender on the review list, notifies admins, and links it to a person', async () => {
    for (const n of [1, 2]) {
      await deliver(h, {
        from: 'New Prospect <prospect@newco.example>',
        to: 'sales@example.jp',
        envelope: { from: 'prospect@newco.example', to: [h.inboundAddress] },
        subject: `資料請求 ${n}`,
        text: '資料を送ってください。',
      });
    }
    const review = await h.admin.get('/api/v1/mail/review');
    expect(review.status).toBe(200);
    expect(review.body.data.map((e: { subject: string }) => e.subject)).toEqual(['資料請求 2', '資料請求 1']);
    const notes = await waitFor(async () => {
      const res = await h.admin.get('/api/v1/notifications');
      const found = res.body.data?.filter((n: { kind: string }) => n.kind === 'email_unmatched');
      return found?.length === 2 ? found : undefined;
    });
    expect(notes[0]).toMatchObject({ link: '/mail/review', params: { from: 'prospect@newco.example' } });

    // an existing person known by another address
    const person = await createPerson(h, '新規', '見込', 'prospect.other@newco.example');
    const linked = await h.admin.post(`/api/v1/mail/review/${review.body.data[0].id}/link`, { personId: person.id });
    expect(linked.status).toBe(200);
    expect(linked.body.linked).toBe(2);
    expect((await h.admin.get('/api/v1/mail/review')).body.data).toEqual([]);
    // linking again to the same person is a no-op; to someone else, the message is no longer on the list
    expect((await h.admin.post(`/api/v1/mail/review/${review.body.data[0].id}/link`, { personId: person.id })).body.linked).toBe(0);
    const someoneElse = await createPerson(h, '別人', '太郎', 'else@newco.example');
    expect((await h.admin.post(`/api/v1/mail/review/${review.body.data[0].id}/link`, { personId: someoneElse.id })).status).toBe(404);
    await waitFor(async () => {
      const tl = await h.admin.get(`/api/v1/timeline/person/${person.id}`);
      const n = tl.body.data?.filter((e: { kind: string }) => e.kind === 'email').length;
      return n === 2 ? true : undefined;
    });
    // the person gets this address: the next message from them is matched at once
    const current = await h.admin.get(`/api/v1/people/${person.id}`);
    const patched = await h.admin.patch(`/api/v1/people/${person.id}`, {
      version: current.body.version,
      emails: [...current.body.emails, { label: 'work', address: 'prospect@newco.example' }],
    });
    expect(patched.status).toBe(200);
    await deliver(h, {
      from: 'prospect@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'prospect@newco.example', to: [h.inboundAddress] },
      subject: '追伸',
      text: 'よろしくお願いします。',
    });
    expect((await h.admin.get('/api/v1/mail/review')).body.data).toEqual([]);
  });

  it('files waiting mail when a person with that address is created, without anyone linking it', async () => {
    await deliver(h, {
      from: 'later.customer@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'later.customer@newco.example', to: [h.inboundAddress] },
      subject: 'はじめまして',
      text: 'x',
    });
    const pending = (await h.admin.get('/api/v1/mail/review')).body.data;
    expect(pending.map((e: { subject: string }) => e.subject)).toEqual(['はじめまして']);
    const person = await createPerson(h, '後日', '登録', 'Later.Customer@newco.example');
    await waitFor(async () => ((await h.admin.get('/api/v1/mail/review')).body.data.length === 0 ? true : undefined));
    await waitFor(async () => {
      const tl = await h.admin.get(`/api/v1/timeline/person/${person.id}`);
      return tl.body.data?.find((e: { summary: { emailId?: string } }) => e.summary.emailId === pending[0].id);
    });
  });

  it('answers 550 for an unknown recipient address', async () => {
    const err = await deliver(h, {
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
    const before = await q(h, 'SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1', [h.workspaceId]);
    const big = await deliver(h, {
      from: 'prospect@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'prospect@newco.example', to: [h.inboundAddress] },
      subject: '大きすぎる',
      text: 'x'.repeat(MAX_BYTES + 10_000),
    }).catch((e) => e);
    expect(big.responseCode).toBe(552);
    const att = await deliver(h, {
      from: 'prospect@newco.example',
      to: 'sales@example.jp',
      envelope: { from: 'prospect@newco.example', to: [h.inboundAddress] },
      subject: '添付が大きい',
      text: 'x',
      attachments: [{ filename: 'big.bin', content: Buffer.alloc(ATTACHMENT_MAX + 1, 1) }],
    }).catch((e) => e);
    expect(att.responseCode).toBe(552);
    const after = await q(h, 'SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1', [h.workspaceId]);
    expect(after[0].n).toBe(before[0].n);
  });

  it('refuses a malformed message without a From address with 550', async () => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: h.server.mailReceiver.port, secure: false, ignoreTLS: true });
    const err = await client
      .sendMail({
        envelope: { from: 'x@example.test', to: [h.inboundAddress] },
        raw: 'Subject: broken\r\nThis is not a header\r\n\r\nbody',
      })
      .catch((e) => e)
      .finally(() => client.close());
    expect(err.responseCode).toBe(550);
    expect(await q(h, `SELECT 1 FROM email_messages WHERE workspace_id = $1 AND subject = 'broken'`, [h.workspaceId])).toHaveLength(0);
  });
});

describe('merged people', () => {
  it("moves the merged person's mail to the survivor", async () => {
    const survivor = await createPerson(h, '統合', '先', 'survivor@customer.example');
    const merged = await createPerson(h, '統合', '元', 'merged@customer.example');
    await deliver(h, {
      from: 'merged@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'merged@customer.example', to: [h.inboundAddress] },
      subject: '統合前のメール',
      text: 'x',
      messageId: '<merge-1@customer.example>',
    });
    const [row] = await q(h, 'SELECT id FROM email_messages WHERE workspace_id = $1 AND message_id = $2', [
      h.workspaceId,
      '<merge-1@customer.example>',
    ]);
    const versions = await Promise.all([h.admin.get(`/api/v1/people/${survivor.id}`), h.admin.get(`/api/v1/people/${merged.id}`)]);
    const res = await h.admin.post('/api/v1/people/merge', {
      survivorId: survivor.id,
      mergedId: merged.id,
      survivorVersion: versions[0].body.version,
      mergedVersion: versions[1].body.version,
    });
    expect(res.status).toBe(200);
    const list = await waitFor(async () => {
      const r = await h.admin.get(`/api/v1/emails?personId=${survivor.id}`);
      return r.body.data?.length ? r.body.data : undefined;
    });
    expect(list.map((e: { id: string }) => e.id)).toEqual([row.id]);
    expect((await h.admin.get(`/api/v1/emails/${row.id}`)).body.people).toEqual([{ id: survivor.id, name: '統合 先', role: 'from' }]);
  });
});

describe('personal data requests (APPI)', () => {
  it("discloses a person's mail and erases it on a deletion request, keeping mail shared with others", async () => {
    const subject = await createPerson(h, '削除', '対象', 'erase.me@customer.example');
    const colleague = await createPerson(h, '同僚', '残る', 'stays@customer.example');
    await deliver(h, {
      from: 'erase.me@customer.example',
      to: 'sales@example.jp',
      envelope: { from: 'erase.me@customer.example', to: [h.inboundAddress] },
      subject: '個人的な相談',
      text: '住所は東京都…',
      messageId: '<erase-1@customer.example>',
      attachments: [{ filename: '本人確認.txt', content: Buffer.from('id card') }],
    });
    await deliver(h, {
      from: 'erase.me@customer.example',
      to: 'stays@customer.example',
      envelope: { from: 'erase.me@customer.example', to: [h.inboundAddress] },
      subject: '共有の連絡',
      text: 'cc',
      messageId: '<erase-2@customer.example>',
    });
    const exported = await h.admin.get(`/api/v1/people/${subject.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.modules.email.map((e: { subject: string }) => e.subject)).toEqual(['個人的な相談', '共有の連絡']);
    expect(exported.body.modules.email[0].attachments).toEqual([expect.objectContaining({ filename: '本人確認.txt' })]);
    const [file] = await q(
      h,
      `SELECT a.id FROM attachments a JOIN email_messages e ON e.workspace_id = a.workspace_id AND e.id = a.owner_id
        WHERE a.workspace_id = $1 AND e.message_id = '<erase-1@customer.example>'`,
      [h.workspaceId],
    );
    const parts = async () => (await q(h, 'SELECT count(*)::int AS n FROM attachment_parts WHERE attachment_id = $1', [file.id]))[0].n;
    expect(await parts()).toBe(1);

    const erased = await h.admin.post(`/api/v1/people/${subject.id}/erase`, {
      reason: '本人からの削除請求',
      requestedAt: '2026-11-01T10:00:00+09:00',
    });
    expect(erased.status).toBe(200);
    await waitFor(async () =>
      (await q(h, `SELECT 1 FROM email_messages WHERE workspace_id = $1 AND message_id = '<erase-1@customer.example>'`, [h.workspaceId]))
        .length === 0
        ? true
        : undefined,
    );
    // the file's contents go with its row
    expect(await parts()).toBe(0);
    const shared = await q(
      h,
      `SELECT e.id, array_agg(l.person_id::text) AS people FROM email_messages e JOIN email_links l ON l.workspace_id = e.workspace_id AND l.email_id = e.id
        WHERE e.workspace_id = $1 AND e.message_id = '<erase-2@customer.example>' GROUP BY e.id`,
      [h.workspaceId],
    );
    expect(shared).toHaveLength(1);
    expect(shared[0].people).toEqual([colleague.id]);
    const audit = await q(h, `SELECT after::text AS a FROM audit_log WHERE workspace_id = $1 AND entity_type = 'email'`, [h.workspaceId]);
    expect(audit.map((r) => r.a).join()).not.toContain('erase.me@customer.example');
  });
});
