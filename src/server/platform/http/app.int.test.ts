import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestServer, testConfig } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import { buildApp } from './app.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('HTTP platform', () => {
  it('publishes the OpenAPI document and a docs page', async () => {
    const spec = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(spec.statusCode).toBe(200);
    const doc = spec.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/users/{id}', '/api/v1/tokens', '/api/v1/audit']));
    const docs = await server.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('sends security headers', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/setup' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('answers unknown API paths with a 404 error body in the caller language', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
  });

  it('refuses to start when a route forgets to declare who may call it', async () => {
    const config = testConfig(await createTestDatabase());
    await expect(
      buildApp({
        config,
        database: server.database,
        bus: server.bus,
        realtime: {} as never,
        authenticator: { fromApiToken: async () => null, fromSessionToken: async () => null },
        modules: [
          (app) => {
            app.get('/api/v1/forgotten', async () => ({}));
          },
        ],
        logger: false,
      }),
    ).rejects.toThrow(/declares no access/);
  });
});
