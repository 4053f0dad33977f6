/**
 * Test factories: each integration test builds the world it needs in a workspace of its own (no shared seed, so
 * files and tests run in parallel). The workspace is made by the accounts service as setup makes it; everything
 * else goes through the HTTP API as a signed-in user, so records get their validation, owner, audit rows, outbox
 * events and search text exactly as real ones do. Each factory throws with the answer when the API refuses, so a
 * broken fixture fails at the line that made it, not at a later assertion.
 */
import type { z } from 'zod';
import type { RunningServer } from '../src/server/server.js';
import type { apiTokenCreate, teamSchema, workspaceSchema } from '../src/shared/contracts/accounts.js';
import type { Order, orderCreate } from '../src/shared/contracts/commerce.js';
import type { Company, companyCreate, Person, personCreate } from '../src/shared/contracts/customers.js';
import type { Deal, dealCreate, Pipeline, Product, productCreate } from '../src/shared/contracts/sales.js';
import type { Role, Visibility } from '../src/shared/permissions.js';
import { addUser, createTestWorkspace, signIn, type TestClient, tokenClient, uniqueName } from './helpers.js';

/** A signed-in user: `client` sends requests with their session cookie and CSRF token. */
export interface TestUser {
  id: string;
  email: string;
  role: Role;
  client: TestClient;
}

export type WorkspaceSettings = z.infer<typeof workspaceSchema>;

export interface TestWorkspace {
  server: RunningServer;
  id: string;
  /** The administrator made with the workspace. */
  admin: TestUser;
  settings: WorkspaceSettings;
}

/**
 * The answer's body when the API accepted the request (status below 300), else an error naming `what`. The body is
 * typed as the caller says: a created record's `{ id }` unless told otherwise.
 */
export async function must<T = { id: string }>(what: string, res: Promise<{ status: number; body: unknown }>): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

/**
 * A workspace with its administrator signed in (in `locale`, which is also the workspace's language). `visibility`
 * sets which records each role sees (e.g. `{ member: 'own', manager: 'team' }`); left out, everyone sees all.
 */
export async function makeWorkspace(
  server: RunningServer,
  options: { name?: string; locale?: 'ja' | 'en'; visibility?: Partial<Record<Role, Visibility>> } = {},
): Promise<TestWorkspace> {
  const locale = options.locale ?? 'ja';
  const made = await createTestWorkspace(server, { name: options.name, locale });
  const client = await signIn(server, made.adminEmail, undefined, locale);
  let settings = await must<WorkspaceSettings>('workspace', client.get('/api/v1/workspace'));
  if (options.visibility) {
    const patch = { version: settings.version, visibility: options.visibility };
    settings = await must<WorkspaceSettings>('visibility', client.patch('/api/v1/workspace', patch));
  }
  return { server, id: made.workspaceId, admin: { id: made.adminId, email: made.adminEmail, role: 'admin', client }, settings };
}

/** A user with `role`, invited by the administrator and signed in after accepting, as a new colleague would. */
export async function makeUser(ws: TestWorkspace, role: Role, options: { name?: string } = {}): Promise<TestUser> {
  const made = await addUser(ws.server, ws.admin.client, role, options.name);
  return { id: made.userId, email: made.email, role, client: made.client };
}

export type TestTeam = z.infer<typeof teamSchema>;

/** A team of `members`; a manager with `team` visibility sees the records its teammates own. */
export async function makeTeam(ws: TestWorkspace, members: TestUser[], name = uniqueName('チーム')) {
  return must<TestTeam>(`team ${name}`, ws.admin.client.post('/api/v1/teams', { name, memberIds: members.map((m) => m.id) }));
}

/** An API token of `user` with `scopes`, and a client that authenticates with it (sees what the user sees). */
export async function makeToken(ws: TestWorkspace, user: TestUser, scopes: z.input<typeof apiTokenCreate>['scopes'], name = 'test token') {
  const made = await must<{ token: string; apiToken: { id: string } }>(
    `token ${name}`,
    user.client.post('/api/v1/tokens', { name, scopes }),
  );
  return { id: made.apiToken.id, token: made.token, client: tokenClient(ws.server, made.token) };
}

/**
 * A person, owned by the caller unless `ownerId` says otherwise. Created past the duplicate warning, so two tests'
 * people of the same name never refuse each other; a test of the warning itself posts its own body.
 */
export function makePerson(as: TestClient, fields: Partial<z.input<typeof personCreate>> = {}): Promise<Person> {
  return must<Person>('person', as.post('/api/v1/people', { familyName: '山田', givenName: '太郎', ignoreDuplicates: true, ...fields }));
}

/** A company, past the duplicate warning like `makePerson`. */
export function makeCompany(as: TestClient, fields: Partial<z.input<typeof companyCreate>> = {}): Promise<Company> {
  return must<Company>('company', as.post('/api/v1/companies', { name: '株式会社テスト', ignoreDuplicates: true, ...fields }));
}

/** A product with a SKU of its own (SKUs are unique in a workspace), ¥1,000 unless told otherwise. */
export function makeProduct(as: TestClient, fields: Partial<z.input<typeof productCreate>> = {}): Promise<Product> {
  const sku = uniqueName('SKU');
  return must<Product>('product', as.post('/api/v1/products', { sku, name: '商品', unitPrice: 1000, currency: 'JPY', ...fields }));
}

/** The workspace's default pipeline with its stages (made on first use, as the deals screen does). */
export async function defaultPipeline(as: TestClient): Promise<Pipeline> {
  const list = await must<{ data: Pipeline[] }>('pipelines', as.get('/api/v1/pipelines'));
  const pipeline = list.data[0];
  if (!pipeline) throw new Error('the workspace has no pipeline');
  return pipeline;
}

/** A deal in the default pipeline's first open stage unless told otherwise. */
export function makeDeal(as: TestClient, fields: Partial<z.input<typeof dealCreate>> = {}): Promise<Deal> {
  return must<Deal>('deal', as.post('/api/v1/deals', { title: '商談', ...fields }));
}

/** An order (paid, in yen); without `lines`, one unit of a new product. */
export async function makeOrder(as: TestClient, fields: Partial<z.input<typeof orderCreate>> = {}): Promise<Order> {
  const lines = fields.lines ?? [{ productId: (await makeProduct(as)).id, quantity: 1 }];
  return must<Order>('order', as.post('/api/v1/orders', { currency: 'JPY', ...fields, lines }));
}
