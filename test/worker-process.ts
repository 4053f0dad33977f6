import { type ChildProcess, spawn } from 'node:child_process';

const children: ChildProcess[] = [];

/**
 * A server in a process of its own (test/import-worker.ts: imports in chunks of 5 rows or batches of 2 orders, with
 * a pause after each) on `databaseUrl`, for tests that SIGKILL it half-way through an import.
 */
export function startImportWorker(databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/import-worker.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    exited,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** For afterAll: no worker outlives its test file. */
export function killImportWorkers() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
}
