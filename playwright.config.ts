import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// One fresh data folder per language server and run. The runner loads this file again in each worker:
// the run id travels in the environment so every process agrees on the folders, and only the runner cleans up.
const runId = process.env.E2E_RUN_ID ?? String(Date.now());
process.env.E2E_RUN_ID = runId;
const tmpDir = path.resolve('.tmp');
const dataDir = (lang: string) => path.join(tmpDir, `e2e-${lang}-${runId}`);

if (!process.env.TEST_WORKER_INDEX) {
  fs.mkdirSync(tmpDir, { recursive: true });
  for (const entry of fs.readdirSync(tmpDir)) {
    if (entry.startsWith('e2e-') && !entry.endsWith(`-${runId}`)) fs.rmSync(path.join(tmpDir, entry), { recursive: true, force: true });
  }
}

// E2E_PORT_BASE moves the four ports (two servers, two inbound SMTP receivers), so that two checkouts on one
// machine can run their journeys at the same time; a server already on a port would otherwise be reused by mistake.
const base = Number(process.env.E2E_PORT_BASE ?? 4610);
const servers = [
  { lang: 'ja', locale: 'ja-JP', port: base, mailPort: base + 2 },
  { lang: 'en', locale: 'en-US', port: base + 1, mailPort: base + 3 },
];

/** Every journey file, in the order each language's server sees them (checked against e2e/ below). */
const SPEC_ORDER = [
  'platform',
  'customers',
  'activities',
  'tasks',
  'mail',
  'sales',
  'sales-forecast',
  'sales-assignment',
  'commerce',
  'security',
];
const specFiles = fs.readdirSync(path.resolve('e2e')).filter((f) => f.endsWith('.spec.ts'));
for (const f of specFiles) {
  if (!SPEC_ORDER.includes(f.replace(/\.spec\.ts$/, ''))) throw new Error(`playwright.config.ts: add ${f} to SPEC_ORDER`);
}

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  // CI's machine has two cores for two servers, two browsers and their background jobs: a screen that answers in
  // one second here can take ten there. A longer wait costs nothing when the assertion holds.
  expect: { timeout: process.env.CI ? 20_000 : 10_000 },
  reporter: 'list',
  use: {
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  // One chain of projects per language: the journeys of a language share one server and one database, so they
  // run one file after another (platform first: it meets the set-up screen), while the two languages run side by
  // side. A file's project depends on the previous one, so a failure early in a chain skips the rest (counted).
  projects: servers.flatMap(({ lang, locale, port }) =>
    SPEC_ORDER.map((spec, i) => ({
      name: `${lang}:${spec}`,
      testMatch: `${spec}.spec.ts`,
      dependencies: i === 0 ? [] : [`${lang}:${SPEC_ORDER[i - 1]}`],
      metadata: { lang },
      use: { locale, baseURL: `http://127.0.0.1:${port}`, timezoneId: 'Asia/Tokyo' },
    })),
  ),
  // The web app is built beforehand (scripts/test.sh runs `npm run build:web`); the servers only serve dist/web.
  webServer: servers.map(({ lang, port, mailPort }) => ({
    command: 'node --import tsx src/server/main.ts',
    url: `http://127.0.0.1:${port}/api/v1/setup`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    // SIGTERM lets the server stop its embedded PostgreSQL instead of leaving it behind.
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 20_000 },
    env: {
      DATA_DIR: dataDir(lang),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '1000',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // the built-in inbound SMTP receiver (e2e/mail.spec.ts delivers to it)
      MAIL_INBOUND_PORT: String(mailPort),
      // the domain of the BCC / forwarding addresses (the HTTP host 127.0.0.1 is none: the screen would ask for it)
      MAIL_INBOUND_DOMAIN: 'in.crm-e2e.example',
      // e2e/mail.spec.ts points the SMTP and IMAP settings at in-process servers on loopback, refused otherwise
      MAIL_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
    },
  })),
});
