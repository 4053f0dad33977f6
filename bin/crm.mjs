#!/usr/bin/env node
// `npx crm <command>`: runs the TypeScript CLI through tsx, in the caller's folder (for .env and DATA_DIR).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Resolve tsx from this package, not from the caller's folder.
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, path.join(root, 'src/server/cli.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (err) => {
  console.error(`crm: could not start the CLI: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
