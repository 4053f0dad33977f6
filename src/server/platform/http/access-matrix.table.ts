import { newId } from '../ids.js';

/**
 * The access matrix's table (access-matrix.int.test.ts): one row per API route, saying which kind of record its
 * `:id` names and a body that passes its schema. A route without a row fails the matrix test.
 *
 * How a kind of record is seen: `owned` by owner and team (people, deals, …, and records seen through them),
 * `workspace` by everyone in its workspace, `personal` by its user only, `none` when the test holds no such record
 * (only unknown ids are tried).
 */
export type Model = 'owned' | 'workspace' | 'personal' | 'none';
export type Kind =
  | 'person'
  | 'company'
  | 'deal'
  | 'lead'
  | 'task'
  | 'activity'
  | 'attachment'
  | 'order'
  | 'import'
  | 'orderImport'
  | 'user'
  | 'team'
  | 'invitation'
  | 'customField'
  | 'product'
  | 'pipeline'
  | 'template'
  | 'rule'
  | 'target'
  | 'scan'
  | 'session'
  | 'token'
  | 'view'
  | 'notification'
  | 'duplicate'
  | 'email'
  | 'emailAttachment'
  | 'review';

export const models: Record<Kind, Model> = {
  person: 'owned',
  company: 'owned',
  deal: 'owned',
  lead: 'owned',
  task: 'owned',
  activity: 'owned',
  attachment: 'owned',
  order: 'owned',
  import: 'owned',
  orderImport: 'owned',
  user: 'workspace',
  team: 'workspace',
  invitation: 'workspace',
  customField: 'workspace',
  product: 'workspace',
  pipeline: 'workspace',
  template: 'workspace',
  rule: 'workspace',
  target: 'workspace',
  scan: 'workspace',
  session: 'personal',
  token: 'personal',
  view: 'personal',
  notification: 'personal',
  duplicate: 'owned',
  email: 'owned',
  emailAttachment: 'personal',
  review: 'workspace',
};

/** The first stage of each workspace's default pipeline, by the pipeline's id. */
export const stageOf = new Map<string, string>();

// ---------- the expectation table: one row per route ----------

export interface RouteSpec {
  /** what `:id` (or the route's record parameter) names */
  kind?: Kind;
  /** parameters other than `:id`, given the record id */
  params?: (id: string) => Record<string, string>;
  query?: string | ((id: string) => string);
  /** a body that passes the schema, for requests that must be refused by the handler (hidden or unknown record) */
  body?: unknown;
  /** a raw upload instead of JSON */
  upload?: { contentType: string; query: string };
  /** a response that never ends (server-sent events): only refusals are checked */
  stream?: boolean;
  /** about the signed-in person's own sessions: API tokens get 403 */
  sessionOnly?: boolean;
  /** the id only filters a list: a hidden or unknown one is left out (checked: the answer never names it) */
  filter?: boolean;
  /** names every record of the workspace by design (the audit trail): only other workspaces' records are a leak */
  wholeWorkspace?: boolean;
}

export const stale = { version: 999_999 };
export const routes: Record<string, RouteSpec> = {
  'GET /api/v1/realtime': { stream: true },
  'POST /api/v1/auth/login': {},
  'POST /api/v1/auth/login/totp': {},
  'POST /api/v1/auth/login/enrol': {},
  'POST /api/v1/auth/login/enrol/confirm': {},
  'GET /api/v1/me/security': { sessionOnly: true },
  'POST /api/v1/me/2fa/setup': {},
  'POST /api/v1/me/2fa/enable': {},
  'POST /api/v1/me/2fa/disable': {},
  'POST /api/v1/me/2fa/recovery-codes': {},
  'GET /api/v1/me/sessions': { sessionOnly: true },
  'DELETE /api/v1/me/sessions/:id': { kind: 'session', sessionOnly: true },
  'POST /api/v1/users/:id/sessions/end': { kind: 'user' },
  'POST /api/v1/users/:id/unlock': { kind: 'user' },
  'POST /api/v1/users/:id/2fa/reset': { kind: 'user' },
  'GET /api/v1/setup': {},
  'POST /api/v1/setup': {},
  'POST /api/v1/auth/logout': {},
  'GET /api/v1/auth/session': {},
  'PATCH /api/v1/me': {},
  'POST /api/v1/me/password': {},
  'GET /api/v1/workspace': {},
  'PATCH /api/v1/workspace': {},
  'GET /api/v1/users': {},
  'GET /api/v1/users/:id': { kind: 'user' },
  'PATCH /api/v1/users/:id': { kind: 'user', body: stale },
  'GET /api/v1/invitations': {},
  'POST /api/v1/invitations': {},
  'DELETE /api/v1/invitations/:id': { kind: 'invitation' },
  'GET /api/v1/invitations/by-token/:token': { params: () => ({ token: 'not-a-real-invitation-token' }) },
  'POST /api/v1/invitations/accept': {},
  'GET /api/v1/teams': {},
  'POST /api/v1/teams': {},
  'PATCH /api/v1/teams/:id': { kind: 'team', body: stale },
  'DELETE /api/v1/teams/:id': { kind: 'team' },
  'GET /api/v1/tokens': {},
  'POST /api/v1/tokens': {},
  'DELETE /api/v1/tokens/:id': { kind: 'token' },
  'GET /api/v1/audit': { wholeWorkspace: true },
  'GET /api/v1/audit/verify': {},
  'GET /api/v1/people': {},
  'GET /api/v1/people/count': {},
  'POST /api/v1/people': {},
  'POST /api/v1/people/bulk': {},
  'GET /api/v1/people/:id': { kind: 'person' },
  'PATCH /api/v1/people/:id': { kind: 'person', body: stale },
  'DELETE /api/v1/people/:id': { kind: 'person' },
  'POST /api/v1/people/:id/restore': { kind: 'person' },
  'GET /api/v1/people/:id/history': { kind: 'person' },
  'GET /api/v1/people/:id/employments': { kind: 'person' },
  'GET /api/v1/people/:id/consents': { kind: 'person' },
  'POST /api/v1/people/:id/consents': { kind: 'person', body: { channel: 'email', status: 'granted', method: 'other' } },
  'GET /api/v1/companies': {},
  'GET /api/v1/companies/count': {},
  'POST /api/v1/companies': {},
  'POST /api/v1/companies/bulk': {},
  'GET /api/v1/companies/:id': { kind: 'company' },
  'PATCH /api/v1/companies/:id': { kind: 'company', body: stale },
  'DELETE /api/v1/companies/:id': { kind: 'company' },
  'POST /api/v1/companies/:id/restore': { kind: 'company' },
  'GET /api/v1/companies/:id/history': { kind: 'company' },
  'GET /api/v1/companies/:id/relations': { kind: 'company' },
  'POST /api/v1/companies/:id/departments': { kind: 'company', body: { name: '営業部' } },
  'GET /api/v1/search': { query: 'q=検査' },
  'GET /api/v1/lookup/phone': { query: 'number=0312345678' },
  'GET /api/v1/postal-codes/:code': { params: () => ({ code: '1000001' }) },
  'GET /api/v1/custom-fields': {},
  'POST /api/v1/custom-fields': {},
  'PATCH /api/v1/custom-fields/:id': { kind: 'customField', body: stale },
  'GET /api/v1/duplicates': { query: 'entityType=person' },
  'POST /api/v1/duplicates/:id/dismiss': { kind: 'duplicate' },
  'POST /api/v1/duplicates/scan': { query: 'entityType=person' },
  'POST /api/v1/people/merge': {},
  'POST /api/v1/companies/merge': {},
  'GET /api/v1/duplicates/scans/:id': { kind: 'scan' },
  'GET /api/v1/views': { query: 'entityType=person' },
  'GET /api/v1/views/:id': { kind: 'view' },
  'POST /api/v1/views': {},
  'PATCH /api/v1/views/:id': { kind: 'view', body: stale },
  'DELETE /api/v1/views/:id': { kind: 'view' },
  'GET /api/v1/people/:id/purposes': { kind: 'person' },
  'POST /api/v1/people/:id/purposes': { kind: 'person', body: { purpose: 'newsletter', status: 'notified', method: 'other' } },
  'GET /api/v1/people/:id/export': { kind: 'person' },
  'POST /api/v1/people/:id/erase': { kind: 'person', body: { reason: 'matrix', requestedAt: '2026-01-01T00:00:00Z' } },
  'GET /api/v1/privacy-requests': {},
  'POST /api/v1/privacy-requests': {},
  'GET /api/v1/imports': {},
  'POST /api/v1/imports': {},
  'GET /api/v1/imports/:id': { kind: 'import' },
  'POST /api/v1/imports/:id/start': { kind: 'import', body: { mapping: { 0: 'familyName' } } },
  'GET /api/v1/imports/:id/errors.csv': { kind: 'import' },
  'GET /api/v1/exports/people': {},
  'GET /api/v1/exports/companies': {},
  'GET /api/v1/exports/people.vcf': {},
  'GET /api/v1/people/:id/vcard': { kind: 'person' },
  'POST /api/v1/activities': {},
  'GET /api/v1/activities/:id': { kind: 'activity' },
  'PATCH /api/v1/activities/:id': { kind: 'activity', body: stale },
  'DELETE /api/v1/activities/:id': { kind: 'activity' },
  'POST /api/v1/activities/:id/attachments': {
    kind: 'activity',
    upload: { contentType: 'application/octet-stream', query: 'filename=matrix.txt' },
  },
  'GET /api/v1/attachments/:id': { kind: 'attachment' },
  'GET /api/v1/activity-counts': {},
  'GET /api/v1/timeline/:entityType/:entityId': { kind: 'person', params: (id) => ({ entityType: 'person', entityId: id }) },
  'GET /api/v1/feed': {},
  'GET /api/v1/notifications': {},
  'GET /api/v1/notifications/unread-count': {},
  'POST /api/v1/notifications/:id/read': { kind: 'notification' },
  'POST /api/v1/notifications/read-all': {},
  'GET /api/v1/tasks': { query: 'assignee=any&bucket=all' },
  'GET /api/v1/tasks/summary': {},
  'POST /api/v1/tasks': {},
  'GET /api/v1/tasks/:id': { kind: 'task' },
  'PATCH /api/v1/tasks/:id': { kind: 'task', body: stale },
  'POST /api/v1/tasks/:id/complete': { kind: 'task', body: stale },
  'POST /api/v1/tasks/:id/reopen': { kind: 'task', body: stale },
  'DELETE /api/v1/tasks/:id': { kind: 'task' },
  'POST /api/v1/tasks/:id/restore': { kind: 'task' },
  'GET /api/v1/me/notification-preferences': {},
  'PATCH /api/v1/me/notification-preferences': {},
  'POST /api/v1/me/calendar-feed': {},
  'DELETE /api/v1/me/calendar-feed': {},
  'GET /api/v1/calendar/:token.ics': { params: () => ({ token: 'not-a-real-feed-token' }) },
  'GET /api/v1/mail/settings': {},
  'PATCH /api/v1/mail/settings': {},
  'POST /api/v1/mail/settings/test': {},
  'POST /api/v1/mail/settings/imap/test': {},
  'POST /api/v1/mail/settings/imap/poll': {},
  'GET /api/v1/mail/templates': {},
  'GET /api/v1/mail/templates/:id': { kind: 'template' },
  'POST /api/v1/mail/templates': {},
  'PATCH /api/v1/mail/templates/:id': { kind: 'template', body: stale },
  'DELETE /api/v1/mail/templates/:id': { kind: 'template' },
  'POST /api/v1/emails/preview': {},
  'POST /api/v1/emails': {},
  'POST /api/v1/emails/attachments': {},
  'DELETE /api/v1/emails/attachments/:id': { kind: 'emailAttachment' },
  'GET /api/v1/emails': { kind: 'person', query: (id) => `personId=${id}` },
  'GET /api/v1/emails/:id': { kind: 'email' },
  'GET /api/v1/emails/:id/thread': { kind: 'email' },
  'GET /api/v1/mail/review': {},
  'POST /api/v1/mail/review/:id/link': { kind: 'review', body: { personId: newId() } },
  'POST /api/v1/mail/review/:id/dismiss': { kind: 'review' },
  'GET /api/v1/products': {},
  'POST /api/v1/products': {},
  'GET /api/v1/products/:id': { kind: 'product' },
  'PATCH /api/v1/products/:id': { kind: 'product', body: stale },
  'DELETE /api/v1/products/:id': { kind: 'product' },
  'POST /api/v1/products/:id/restore': { kind: 'product' },
  'GET /api/v1/pipelines': {},
  'POST /api/v1/pipelines': {},
  'GET /api/v1/pipelines/:id': { kind: 'pipeline' },
  'PUT /api/v1/pipelines/:id': {
    kind: 'pipeline',
    body: {
      ...stale,
      name: 'matrix',
      stages: [
        { name: 'a', probability: 10, kind: 'open' },
        { name: 'b', probability: 100, kind: 'won' },
      ],
    },
  },
  'GET /api/v1/pipelines/:id/board': { kind: 'pipeline' },
  'GET /api/v1/pipelines/:id/stages/:stageId/deals': { kind: 'pipeline', params: (id) => ({ stageId: stageOf.get(id) ?? newId() }) },
  'GET /api/v1/deals': {},
  'POST /api/v1/deals': {},
  'GET /api/v1/deals/:id': { kind: 'deal' },
  'PATCH /api/v1/deals/:id': { kind: 'deal', body: stale },
  'POST /api/v1/deals/:id/move': { kind: 'deal', body: { ...stale, stageId: newId() } },
  'PUT /api/v1/deals/:id/line-items': { kind: 'deal', body: { ...stale, items: [] } },
  'GET /api/v1/deals/:id/stage-history': { kind: 'deal' },
  'DELETE /api/v1/deals/:id': { kind: 'deal' },
  'POST /api/v1/deals/:id/restore': { kind: 'deal' },
  'GET /api/v1/leads': {},
  'POST /api/v1/leads': {},
  'GET /api/v1/leads/:id': { kind: 'lead' },
  'PATCH /api/v1/leads/:id': { kind: 'lead', body: stale },
  'DELETE /api/v1/leads/:id': { kind: 'lead' },
  'POST /api/v1/leads/:id/convert': { kind: 'lead', body: { ...stale, person: { mode: 'new' } } },
  'GET /api/v1/sales-settings': {},
  'PUT /api/v1/sales-settings': {},
  'GET /api/v1/forecast': {},
  'GET /api/v1/sales-targets': {},
  'PUT /api/v1/sales-targets': {},
  'DELETE /api/v1/sales-targets/:id': { kind: 'target' },
  'GET /api/v1/sales-dashboard': {},
  'GET /api/v1/assignment-rules': {},
  'POST /api/v1/assignment-rules': {},
  'PUT /api/v1/assignment-rules/order': {},
  'GET /api/v1/assignment-rules/:id': { kind: 'rule' },
  'PATCH /api/v1/assignment-rules/:id': { kind: 'rule', body: stale },
  'DELETE /api/v1/assignment-rules/:id': { kind: 'rule' },
  'GET /api/v1/assignment-settings': {},
  'PUT /api/v1/assignment-settings': {},
  'GET /api/v1/leads/:id/assignments': { kind: 'lead' },
  'GET /api/v1/deals/:id/assignments': { kind: 'deal' },
  'GET /api/v1/orders': {},
  'POST /api/v1/orders': {},
  'GET /api/v1/orders/:id': { kind: 'order' },
  'PATCH /api/v1/orders/:id': { kind: 'order', body: stale },
  'DELETE /api/v1/orders/:id': { kind: 'order' },
  'POST /api/v1/orders/imports': {},
  'GET /api/v1/orders/imports/:id': { kind: 'orderImport' },
  'GET /api/v1/orders/imports/:id/errors': { kind: 'orderImport' },
  'GET /api/v1/orders/imports/:id/errors.csv': { kind: 'orderImport' },
  'GET /api/v1/commerce/metrics': { kind: 'person', query: (id) => `entityType=person&ids=${id}`, filter: true },
  'GET /api/v1/people/:id/metrics': { kind: 'person' },
  'GET /api/v1/people/:id/cross-sell': { kind: 'person' },
  'GET /api/v1/companies/:id/metrics': { kind: 'company' },
  'GET /api/v1/companies/:id/cross-sell': { kind: 'company' },
  'GET /api/v1/products/:id/also-bought': { kind: 'product' },
  'GET /api/v1/commerce/webhook-secret': {},
  'POST /api/v1/commerce/webhook-secret/rotate': {},
  'POST /api/v1/commerce/webhook/:workspaceId/orders': { params: () => ({ workspaceId: newId() }) },
};
