import { afterAll, beforeAll, expect } from 'vitest';
import { makePerson, makeProduct, makeWorkspace } from '../../../../test/factories.js';
import { startTestServer, type TestClient, waitFor } from '../../../../test/helpers.js';
import type { Role, Visibility } from '../../../shared/permissions.js';
import type { RunningServer } from '../../server.js';

/** Set-up shared by the commerce test files: one server per file, a shop (workspace, products, people), import helpers. */

/** A server started before the file's tests and stopped after them; `server` is set by the time a test runs. */
export function commerceServer(): { readonly server: RunningServer } {
  const h = {} as { server: RunningServer };
  beforeAll(async () => {
    h.server = await startTestServer();
  });
  afterAll(async () => {
    await h.server?.stop();
  });
  return h;
}

export interface ShopOptions {
  visibility?: Partial<Record<Role, Visibility>>;
}

/** A workspace of its own with its administrator's client, and short helpers that return the id of a new product or person. */
export async function openShop(server: RunningServer, options: ShopOptions = {}) {
  const workspace = await makeWorkspace(server, options);
  const client = workspace.admin.client;
  const product = async (sku: string, unitPrice: number, currency = 'JPY') =>
    (await makeProduct(client, { sku, name: `商品 ${sku}`, unitPrice, currency })).id;
  // A family name alone: the tests read it back as the order's customer name.
  const person = async (familyName: string, email?: string) =>
    (await makePerson(client, { familyName, givenName: undefined, emails: email ? [{ address: email }] : [] })).id;
  return { workspace, client, product, person };
}

export const metricsOf = async (c: TestClient, personId: string) => (await c.get(`/api/v1/people/${personId}/metrics`)).body;

export const uploadOrders = (c: TestClient, body: string | Buffer, query = 'format=csv', type = 'text/csv') =>
  c.request('POST', `/api/v1/orders/imports?${query}`, body, { 'content-type': type });

/** Polls the import job until it is done. */
export async function waitImport(c: TestClient, id: string) {
  return waitFor(
    async () => {
      const r = await c.get(`/api/v1/orders/imports/${id}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
    },
    { describe: async () => (await c.get(`/api/v1/orders/imports/${id}`)).body },
  );
}

export async function importCsv(c: TestClient, csv: string) {
  const up = await uploadOrders(c, csv);
  expect(up.status).toBe(202);
  expect(up.body.status).toBe('queued');
  return { id: up.body.id as string, job: await waitImport(c, up.body.id) };
}

export const errorsOf = async (c: TestClient, id: string) => (await c.get(`/api/v1/orders/imports/${id}/errors`)).body.data;
