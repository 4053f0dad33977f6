import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace } from '../../../../test/factories.js';
import { startTestServer } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

// issue 11: a malformed code used to answer 200 with an empty list, indistinguishable from an unknown one.
describe('GET /postal-codes/:code', () => {
  it('answers the addresses of a code typed the Japanese way, 400 for a malformed one and 404 for an unknown one', async () => {
    const ws = await makeWorkspace(server);
    const c = ws.admin.client;
    const found = await c.get(`/api/v1/postal-codes/${encodeURIComponent('〒１００−０００１')}`);
    expect(found.status).toBe(200);
    expect(found.body.data[0]).toMatchObject({ postalCode: '1000001', prefecture: '東京都', city: '千代田区' });
    for (const bad of ['12345', 'abc', '100-001', '12345678']) {
      const r = await c.get(`/api/v1/postal-codes/${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('invalid_postal_code');
      expect(r.body.error.message).toContain('7 桁');
    }
    const unknown = await c.get('/api/v1/postal-codes/999-9999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'postal_code_not_found' });
  });

  it('explains in English to an English user', async () => {
    const ws = await makeWorkspace(server, { locale: 'en' });
    const r = await ws.admin.client.get('/api/v1/postal-codes/abc');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('A postal code has 7 digits (for example 100-0001).');
  });
});
