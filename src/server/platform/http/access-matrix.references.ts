import { must } from '../../../../test/factories.js';
import type { TestClient } from '../../../../test/helpers.js';
import { uniqueEmail } from '../../../../test/helpers.js';
import type { Callers, UserKey } from './access-matrix.callers.js';
import type { Fixtures } from './access-matrix.fixtures.js';
import { type Kind, models, stageOf } from './access-matrix.table.js';

/**
 * Requests that name, in their body or path, a record the caller may not see: workspace B's administrator naming
 * workspace A's records and users, and an own-visibility member naming a teammate's. Each must be refused exactly
 * like the same request naming an unknown id.
 */
export interface Reference {
  who: string;
  client: TestClient;
  method: string;
  url: (id: string) => string;
  body?: (id: string) => unknown;
  /** The id the request names. */
  target: string;
}

export async function referencesToHidden({ users }: Callers, fixtures: Fixtures): Promise<Reference[]> {
  const b = users.bAdmin.client;
  const member = users.member.client;
  const a = (kind: Kind, owner: UserKey = 'mate') => fixtures[kind][models[kind] === 'workspace' ? 'admin' : owner] as string;
  const mate = users.mate.id;
  const version = async (url: string) => (await must<{ version: number }>(url, b.get(url))).version;
  const bDeal = await version(`/api/v1/deals/${fixtures.deal.bAdmin}`);
  const bLead = await version(`/api/v1/leads/${fixtures.lead.bAdmin}`);
  const bPerson = await version(`/api/v1/people/${fixtures.person.bAdmin}`);
  const repField = await must<{ id: string; version: number }>(
    'user field',
    b.post('/api/v1/custom-fields', { entityType: 'person', key: 'rep', type: 'user', labelJa: '担当', labelEn: 'Rep' }),
  );
  await must(
    'company user field',
    b.post('/api/v1/custom-fields', { entityType: 'company', key: 'rep', type: 'user', labelJa: '担当', labelEn: 'Rep' }),
  );
  // A user of the caller's own workspace is a valid value.
  await must(
    'own user as value',
    b.post('/api/v1/people', { familyName: '担当付き', custom: { rep: users.bVictim.id }, ignoreDuplicates: true }),
  );

  const note = (type: string) => (id: string) => ({ kind: 'note', body: 'x', links: [{ entityType: type, entityId: id }] });
  const order = (patch: (id: string) => object) => (id: string) => ({
    currency: 'JPY',
    lines: [{ productId: fixtures.product.bAdmin, quantity: 1 }],
    ...patch(id),
  });
  const byB = (method: string, url: string | ((id: string) => string), body: ((id: string) => unknown) | undefined, target: string) => ({
    who: 'B admin',
    client: b,
    method,
    url: typeof url === 'string' ? () => url : url,
    body,
    target,
  });
  const byMember = (
    method: string,
    url: string | ((id: string) => string),
    body: ((id: string) => unknown) | undefined,
    target: string,
  ) => ({
    ...byB(method, url, body, target),
    who: 'member',
    client: member,
  });
  return [
    byB('POST', '/api/v1/activities', note('person'), a('person')),
    byB('POST', '/api/v1/activities', note('company'), a('company')),
    byB('POST', '/api/v1/activities', note('deal'), a('deal')),
    byB('POST', '/api/v1/activities', note('lead'), a('lead')),
    byB('POST', '/api/v1/tasks', (id) => ({ title: 't', links: [{ entityType: 'person', entityId: id }] }), a('person')),
    byB('POST', '/api/v1/tasks', (id) => ({ title: 't', assigneeId: id }), mate),
    byB('POST', '/api/v1/people', (id) => ({ familyName: '参照', companyId: id, ignoreDuplicates: true }), a('company')),
    byB('POST', '/api/v1/people', (id) => ({ familyName: '参照', ownerId: id, ignoreDuplicates: true }), mate),
    byB('POST', '/api/v1/people', (id) => ({ familyName: '参照', teamId: id, ignoreDuplicates: true }), a('team')),
    byB('POST', '/api/v1/companies', (id) => ({ name: '参照', parentId: id, ignoreDuplicates: true }), a('company')),
    byB('POST', '/api/v1/deals', (id) => ({ title: 'd', personId: id }), a('person')),
    byB('POST', '/api/v1/deals', (id) => ({ title: 'd', companyId: id }), a('company')),
    byB('POST', '/api/v1/deals', (id) => ({ title: 'd', pipelineId: id }), a('pipeline')),
    byB('POST', '/api/v1/deals', (id) => ({ title: 'd', ownerId: id }), mate),
    byB('POST', '/api/v1/leads', (id) => ({ familyName: 'l', ownerId: id }), mate),
    byB(
      'POST',
      '/api/v1/orders',
      order((id) => ({ personId: id })),
      a('person'),
    ),
    byB(
      'POST',
      '/api/v1/orders',
      order((id) => ({ companyId: id })),
      a('company'),
    ),
    byB(
      'POST',
      '/api/v1/orders',
      order((id) => ({ repId: id })),
      mate,
    ),
    byB('POST', '/api/v1/orders', (id) => ({ currency: 'JPY', lines: [{ productId: id, quantity: 1 }] }), a('product')),
    byB('POST', '/api/v1/people', (id) => ({ familyName: '参照', custom: { rep: id }, ignoreDuplicates: true }), mate),
    byB('POST', '/api/v1/companies', (id) => ({ name: '参照', custom: { rep: id }, ignoreDuplicates: true }), mate),
    byB(
      'POST',
      '/api/v1/custom-fields',
      (id) => ({
        entityType: 'person',
        key: `rep_${id.slice(-6).replace(/-/g, '')}`,
        type: 'user',
        labelJa: '担当',
        labelEn: 'Rep',
        defaultValue: id,
      }),
      mate,
    ),
    byB('PATCH', `/api/v1/custom-fields/${repField.id}`, (id) => ({ version: repField.version, defaultValue: id }), mate),
    byB('PATCH', `/api/v1/people/${fixtures.person.bAdmin}`, (id) => ({ version: bPerson, custom: { rep: id } }), mate),
    byB('POST', '/api/v1/teams', (id) => ({ name: `参照${id.slice(-4)}`, memberIds: [id] }), mate),
    byB('POST', '/api/v1/invitations', (id) => ({ email: uniqueEmail('ref'), role: 'member', teamId: id }), a('team')),
    byB('POST', '/api/v1/assignment-rules', (id) => ({ objectType: 'lead', name: 'r', method: 'user', userId: id, active: false }), mate),
    byB('POST', '/api/v1/people/bulk', (id) => ({ action: 'tag', ids: [id], tags: ['参照'] }), a('person')),
    byB('POST', '/api/v1/emails/preview', (id) => ({ personId: id, subject: 's', body: 'b' }), a('person')),
    byB('POST', '/api/v1/emails', (id) => ({ personId: id, subject: 's', body: 'b' }), a('person')),
    byB('PUT', '/api/v1/sales-targets', (id) => ({ items: [{ month: '2026-05', ownerId: id, amount: 1 }] }), mate),
    byB('PATCH', `/api/v1/people/${fixtures.person.bAdmin}`, (id) => ({ version: bPerson, companyId: id }), a('company')),
    byB(
      'POST',
      `/api/v1/deals/${fixtures.deal.bAdmin}/move`,
      (id) => ({ version: bDeal, stageId: id }),
      stageOf.get(a('pipeline')) as string,
    ),
    byB(
      'PUT',
      `/api/v1/deals/${fixtures.deal.bAdmin}/line-items`,
      (id) => ({ version: bDeal, items: [{ productId: id, quantity: 1 }] }),
      a('product'),
    ),
    byB(
      'POST',
      `/api/v1/leads/${fixtures.lead.bAdmin}/convert`,
      (id) => ({ version: bLead, person: { mode: 'existing', id } }),
      a('person'),
    ),
    byB('GET', (id) => `/api/v1/timeline/company/${id}`, undefined, a('company')),
    byB('GET', (id) => `/api/v1/timeline/deal/${id}`, undefined, a('deal')),
    byB('GET', (id) => `/api/v1/timeline/lead/${id}`, undefined, a('lead')),
    byMember('GET', (id) => `/api/v1/timeline/company/${id}`, undefined, a('company')),
    byMember('GET', (id) => `/api/v1/timeline/deal/${id}`, undefined, a('deal')),
    byMember('GET', (id) => `/api/v1/timeline/lead/${id}`, undefined, a('lead')),
    byMember('POST', '/api/v1/activities', note('person'), a('person')),
    byMember('POST', '/api/v1/activities', note('deal'), a('deal')),
    byMember('POST', '/api/v1/tasks', (id) => ({ title: 't', links: [{ entityType: 'person', entityId: id }] }), a('person')),
    byMember('POST', '/api/v1/people/bulk', (id) => ({ action: 'tag', ids: [id], tags: ['参照'] }), a('person')),
    byMember('POST', '/api/v1/emails/preview', (id) => ({ personId: id, subject: 's', body: 'b' }), a('person')),
  ];
}
