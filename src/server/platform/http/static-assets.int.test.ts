import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from '../../../../scripts/precompress.js';
import { startTestServer } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

// The web app's files as the build leaves them (scripts/precompress.ts writes .br/.gz beside each text asset).
const script = `export const words = ${JSON.stringify(Array.from({ length: 800 }, (_, i) => `顧客${i % 40} customer ${i % 13}`))};\n`;
let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-static-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><title>CRM</title><script type="module" src="/assets/app-1a2b.js"></script>',
  );
  fs.writeFileSync(path.join(dir, 'assets/app-1a2b.js'), script);
  fs.writeFileSync(path.join(dir, 'assets/tiny-3c4d.js'), 'export {};\n');
  expect(precompressDir(dir).map((f) => path.basename(f))).toEqual(['app-1a2b.js']);
  server = await startTestServer({ webDir: dir });
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, acceptEncoding?: string) =>
  server.app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

describe('the web app’s files', () => {
  it('go to a browser that accepts brotli as the precompressed .br, cached for a year', async () => {
    const r = await get('/assets/app-1a2b.js', 'gzip, deflate, br, zstd');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(String(r.headers.vary)).toMatch(/accept-encoding/i);
    expect(String(r.headers['cache-control'])).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
    expect(r.rawPayload.length).toBeLessThan(Buffer.byteLength(script) / 5);
    expect(brotliDecompressSync(r.rawPayload).toString()).toBe(script);
  });

  it('go as gzip to one that accepts only gzip, and as they are to one that accepts neither', async () => {
    const gz = await get('/assets/app-1a2b.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(script);
    const plain = await get('/assets/app-1a2b.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
  });

  it('a file too small to be worth compressing goes as it is; the page itself is never cached', async () => {
    const tiny = await get('/assets/tiny-3c4d.js', 'br');
    expect(tiny.statusCode).toBe(200);
    expect(tiny.headers['content-encoding']).toBeUndefined();
    const page = await get('/people/123', 'br');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('/assets/app-1a2b.js');
  });
});
