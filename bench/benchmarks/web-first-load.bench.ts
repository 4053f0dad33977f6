import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BrowserContext, chromium } from '@playwright/test';
import { build } from 'vite';
import { loadConfig } from '../../src/server/platform/config.js';
import { startServer } from '../../src/server/server.js';
import { freshDatabase } from '../lib/database.js';
import { type Benchmark, figure, round } from '../lib/types.js';

/**
 * What a browser downloads before the first screen, from a production build into a temporary folder:
 * - measured on the wire: Debian's chromium with an empty cache opens the login page, then (signed in) the home
 *   page, served by the real server (precompressed brotli, scripts/precompress.ts); every finished response's
 *   encoded body and headers are summed (the realtime stream, which never finishes, is not counted).
 *   Budget (issue 11): 250 kB each.
 * - from the build: the entry chunk of index.html and every chunk it imports statically, gzip -9 (budget 300 kB).
 * No baseline: the figures are absolute. Scale is unused.
 */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

const PASSWORD = 'bench-password-1234';
const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Bytes of every response that finished while `open` ran, in a fresh context (empty cache). */
async function bytesOnTheWire(context: BrowserContext, open: (page: import('@playwright/test').Page) => Promise<void>) {
  const page = await context.newPage();
  const sizes: Promise<number>[] = [];
  page.on('requestfinished', (request) => {
    sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize));
  });
  await open(page);
  // Chunks requested by the first render finish within the same tick of the network: give them a moment.
  await page.waitForLoadState('load');
  const total = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  await page.close();
  return { total, requests: sizes.length };
}

function staticFigures(outDir: string) {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry) throw new Error('no entry chunk in the manifest');
  const seen = new Set<string>();
  const css = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key] as ManifestChunk;
    for (const c of chunk.css ?? []) css.add(c);
    for (const i of chunk.imports ?? []) visit(i);
  };
  visit(entry);
  const gz = (file: string) => gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }).length;
  const js = [...seen].reduce((sum, k) => sum + gz((manifest[k] as ManifestChunk).file), 0);
  const styles = [...css].reduce((sum, f) => sum + gz(f), 0);
  const all = Object.values(manifest).reduce((sum, c) => sum + (c.file.endsWith('.js') ? gz(c.file) : 0), 0);
  return { chunks: seen.size, js, styles, all };
}

export const webFirstLoad: Benchmark = {
  name: 'web-first-load',
  description: 'bytes on the wire before the login and home screens (budget 250 kB), and gzip JS before the first screen',
  defaultScale: 1,
  async run(ctx) {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-web-build-'));
    const db = await freshDatabase(ctx.log);
    try {
      await build({ configFile: path.resolve('vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      const s = staticFigures(outDir);
      ctx.log(
        `build: ${s.chunks} JS chunks before the first screen, ${(s.js / 1024).toFixed(1)} kB gzip; CSS ${(s.styles / 1024).toFixed(1)} kB; all JS ${(s.all / 1024).toFixed(1)} kB`,
      );
      const config = loadConfig(
        { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATABASE_URL: db.url, DATA_DIR: db.dataDir, WORKERS: 'off' },
        process.cwd(),
      );
      const server = await startServer(config, { logger: false, webDir: outDir });
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
      try {
        const email = 'bench@example.jp';
        const setup = await fetch(`${server.url}/api/v1/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workspaceName: 'ベンチ株式会社', adminName: '計測 太郎', adminEmail: email, password: PASSWORD }),
        });
        if (setup.status !== 201) throw new Error(`setup answered ${setup.status}`);
        const fresh = () => browser.newContext({ baseURL: server.url, locale: 'ja-JP' });

        const loginContext = await fresh();
        const login = await bytesOnTheWire(loginContext, async (page) => {
          await page.goto('/');
          await page.getByLabel('パスワード').first().waitFor();
        });
        await loginContext.close();

        const homeContext = await fresh();
        const signedIn = await homeContext.request.post('/api/v1/auth/login', { data: { email, password: PASSWORD } });
        if (signedIn.status() !== 200) throw new Error(`sign-in answered ${signedIn.status()}`);
        const home = await bytesOnTheWire(homeContext, async (page) => {
          await page.goto('/');
          await page.getByRole('navigation').first().waitFor();
          await page.getByRole('heading').first().waitFor();
        });
        await homeContext.close();
        ctx.log(
          `on the wire: login page ${(login.total / 1024).toFixed(1)} kB in ${login.requests} responses; home ${(home.total / 1024).toFixed(1)} kB in ${home.requests}`,
        );
        return [
          figure({ figure: 'login page, bytes on the wire', value: round(login.total / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
          figure({ figure: 'home page, bytes on the wire', value: round(home.total / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
          figure({ figure: 'JS before first screen (gzip)', value: round(s.js / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
          figure({ figure: 'CSS before first screen (gzip)', value: round(s.styles / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
          figure({ figure: 'all JS chunks (gzip)', value: round(s.all / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
        ];
      } finally {
        await browser.close();
        await server.stop();
      }
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
      await db.stop();
    }
  },
};
