import { makeCompany, makeDeal, makeOrder, makePerson, makeProduct, must } from '../../../../test/factories.js';
import { signIn, testConfig, uniqueEmail, waitFor } from '../../../../test/helpers.js';
import type { Pipeline } from '../../../shared/contracts/sales.js';
import { activitiesDb } from '../../modules/activities/activities.db.js';
import { receiveMessage } from '../../modules/activities/mail/inbound-mail.js';
import { newId } from '../ids.js';
import { type Callers, OWNERS_A, type UserKey, wsOf } from './access-matrix.callers.js';
import { type Kind, models, stageOf } from './access-matrix.table.js';

/**
 * The access matrix's records: of each kind, one per owner that it can have (for `workspace` kinds, one per
 * workspace, under its administrator's key). Names carry their owner (`検査mate`), so a leak is found in exports
 * and searches that name records without their ids.
 */
export type Fixtures = Record<Kind, Partial<Record<UserKey, string>>>;

/** The names the fixtures give the records of `owner`. */
export const namesOf = (owner: UserKey) => [`検査${owner}`, `案件${owner}`, `見込${owner}`, `作業${owner}`, `件名${owner}`];

/** Mail received over SMTP as the server would file it: on the person with the sender's address, else for review. */
function receive(callers: Callers, owner: UserKey, from: string, subject: string, attachment = false) {
  const head = `From: ${from}\r\nTo: crm@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${newId()}@example.test>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n`;
  const file = Buffer.from('添付の中身').toString('base64');
  const raw = Buffer.from(
    attachment
      ? `${head}Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本文\r\n--b1\r\nContent-Type: text/plain; name="memo.txt"\r\nContent-Disposition: attachment; filename="memo.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${file}\r\n--b1--\r\n`
      : `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n本文\r\n`,
  );
  const { server } = callers;
  return receiveMessage(
    { db: activitiesDb(server.database.db), config: testConfig(server.databaseUrl) },
    { workspaceId: callers.workspaces[wsOf(owner)].id, raw, source: 'smtp' },
  );
}

export async function makeFixtures(callers: Callers): Promise<Fixtures> {
  const { users } = callers;
  const fixtures = {} as Fixtures;
  for (const kind of Object.keys(models) as Kind[]) fixtures[kind] = {};
  const adminOf = (owner: UserKey) => callers.workspaces[wsOf(owner)].admin.client;
  const products: Record<string, string> = {};
  for (const w of ['admin', 'bAdmin'] as UserKey[]) {
    const c = users[w].client;
    const product = await makeProduct(c, { sku: `M-${w}` });
    products[wsOf(w)] = product.id;
    fixtures.product[w] = product.id;
    const pipeline = (await must<{ data: Pipeline[] }>('pipelines', c.get('/api/v1/pipelines'))).data[0] as Pipeline;
    fixtures.pipeline[w] = pipeline.id;
    stageOf.set(pipeline.id, (pipeline.stages[0] as { id: string }).id);
    fixtures.user[w] = users[w === 'admin' ? 'outsider' : 'bVictim'].id;
    fixtures.team[w] = (await must('team', c.post('/api/v1/teams', { name: `spare ${w}` }))).id;
    const invited = { email: uniqueEmail('inv'), role: 'member' };
    fixtures.invitation[w] = (
      await must<{ invitation: { id: string } }>('invitation', c.post('/api/v1/invitations', invited))
    ).invitation.id;
    const field = { entityType: 'person', key: 'matrix', type: 'text', labelJa: '検査', labelEn: 'Check' };
    fixtures.customField[w] = (await must('custom field', c.post('/api/v1/custom-fields', field))).id;
    fixtures.template[w] = (await must('template', c.post('/api/v1/mail/templates', { name: '件', subject: '件名', body: '本文' }))).id;
    const rule = { objectType: 'lead', name: '規則', method: 'user', userId: users[w].id, active: false };
    fixtures.rule[w] = (await must('rule', c.post('/api/v1/assignment-rules', rule))).id;
    await must('target', c.request('PUT', '/api/v1/sales-targets', { items: [{ month: '2026-04', amount: 1000 }] }));
    const targets = await must<{ data: { id: string }[] }>('targets', c.get('/api/v1/sales-targets?fiscalYear=2026'));
    fixtures.target[w] = targets.data[0]?.id;
    fixtures.scan[w] = (await must('scan', c.post('/api/v1/duplicates/scan?entityType=person'))).id;
  }
  await Promise.all(
    [...OWNERS_A, 'bAdmin' as const].map(async (owner) => {
      const c = adminOf(owner);
      const ownerId = users[owner].id;
      const [personName, dealName, leadName, taskName, subject] = namesOf(owner) as [string, string, string, string, string];
      const address = uniqueEmail(`from-${owner}`);
      const person = await makePerson(c, { familyName: personName, emails: [{ label: 'work', address }], ownerId });
      fixtures.person[owner] = person.id;
      fixtures.company[owner] = (await makeCompany(c, { name: `${personName}社`, ownerId })).id;
      fixtures.deal[owner] = (await makeDeal(c, { title: dealName, ownerId, personId: person.id })).id;
      fixtures.lead[owner] = (await must('lead', c.post('/api/v1/leads', { familyName: leadName, ownerId }))).id;
      fixtures.task[owner] = (await must('task', c.post('/api/v1/tasks', { title: taskName, assigneeId: ownerId }))).id;
      const note = { kind: 'note', body: 'メモ', links: [{ entityType: 'person', entityId: person.id }] };
      const activity = await must('activity', c.post('/api/v1/activities', note));
      fixtures.activity[owner] = activity.id;
      const file = await must(
        'attachment',
        c.request('POST', `/api/v1/activities/${activity.id}/attachments?filename=a.txt`, Buffer.from('添付'), {
          'content-type': 'text/plain',
        }),
      );
      fixtures.attachment[owner] = file.id;
      const lines = [{ productId: products[wsOf(owner)] as string, quantity: 1 }];
      fixtures.order[owner] = (await makeOrder(c, { personId: person.id, lines })).id;
      // Mail from the person's address is filed on the person (seen like them); from an unknown one it waits for review.
      // The outsider's and workspace B's attachments come with mail, the others' with activities: both paths are tried.
      const withFile = owner === 'outsider' || owner === 'bAdmin';
      fixtures.email[owner] = (await receive(callers, owner, address, subject, withFile)).emailId as string;
      if (withFile) {
        const mail = await must<{ attachments: { id: string }[] }>('mail', c.get(`/api/v1/emails/${fixtures.email[owner]}`));
        fixtures.attachment[owner] = mail.attachments[0]?.id;
      }
      if (owner === 'admin' || owner === 'bAdmin')
        fixtures.review[owner] = (await receive(callers, owner, uniqueEmail('stranger'), '未登録')).emailId as string;
      const mine = users[owner].client;
      fixtures.import[owner] = (
        await must(
          'import',
          mine.request('POST', '/api/v1/imports?entityType=person&filename=p.csv', '姓\n山田\n', { 'content-type': 'text/csv' }),
        )
      ).id;
      fixtures.orderImport[owner] = (
        await must(
          'order import',
          mine.request('POST', '/api/v1/orders/imports?format=csv', 'order_number,email,sku,quantity\n1,a@example.jp,X,1\n', {
            'content-type': 'text/csv',
          }),
        )
      ).id;
    }),
  );
  // Personal records: each user's own token, private view, second session and a notification.
  const personal: UserKey[] = ['admin', 'manager', 'member', 'mate', 'bAdmin'];
  await Promise.all(
    personal.map(async (u) => {
      const c = users[u].client;
      fixtures.token[u] = (
        await must<{ apiToken: { id: string } }>('token', c.post('/api/v1/tokens', { name: 'fixture', scopes: ['read'] }))
      ).apiToken.id;
      fixtures.view[u] = (await must('view', c.post('/api/v1/views', { entityType: 'person', name: '自分用' }))).id;
      fixtures.emailAttachment[u] = (
        await must(
          'draft attachment',
          c.request('POST', '/api/v1/emails/attachments?filename=draft.txt', Buffer.from('下書き'), { 'content-type': 'text/plain' }),
        )
      ).id;
      const second = await signIn(callers.server, users[u].email);
      const list = await must<{ data: { id: string; current: boolean }[] }>('sessions', second.get('/api/v1/me/sessions'));
      fixtures.session[u] = list.data.find((s) => s.current)?.id;
    }),
  );
  // A duplicate pair per owner (both people theirs), found by the detector after the second one is created.
  await Promise.all(
    (['mate', 'outsider', 'member', 'bAdmin'] as UserKey[]).map(async (owner) => {
      const c = adminOf(owner);
      const email = uniqueEmail(`dup-${owner}`);
      const pair: string[] = [];
      for (const given of ['一', '二']) {
        const emails = [{ address: email }];
        pair.push((await makePerson(c, { familyName: `重複${owner}`, givenName: given, emails, ownerId: users[owner].id })).id);
      }
      fixtures.duplicate[owner] = await waitFor(`a duplicate pair of ${owner}`, async () => {
        const list = await c.get('/api/v1/duplicates?entityType=person');
        const found = ((list.body.data ?? []) as { id: string; a: { id: string }; b: { id: string } }[]).find(
          (d) => pair.includes(d.a.id) && pair.includes(d.b.id),
        );
        return found?.id;
      });
    }),
  );
  const mention = async (author: UserKey, mentioned: UserKey[]) =>
    must(
      'mention',
      users[author].client.post('/api/v1/activities', {
        kind: 'note',
        body: 'ご確認ください',
        links: [{ entityType: 'person', entityId: fixtures.person[wsOf(author) === 'A' ? 'mate' : 'bAdmin'] }],
        mentionIds: mentioned.map((m) => users[m].id),
      }),
    );
  await mention('admin', ['manager', 'member', 'mate']);
  await mention('mate', ['admin']);
  await mention('bVictim', ['bAdmin']);
  await Promise.all(
    personal.map(async (u) => {
      const list = await waitFor(`a notification for ${u}`, async () => {
        const r = await users[u].client.get('/api/v1/notifications');
        return r.body.data?.length ? (r.body.data as { id: string }[]) : undefined;
      });
      fixtures.notification[u] = list[0]?.id;
    }),
  );
  return fixtures;
}
