import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A server under test runs in a child process of its own, so the load generator (autocannon, in
 * this process) does not share its event loop. With a profile folder the child runs under
 * `--cpu-prof` and writes `<name>.cpuprofile` when stopped.
 */
export interface Target {
  url: string;
  stop(): Promise<void>;
}

type Message = { url: string } | { error: string };

const here = path.dirname(fileURLToPath(import.meta.url));
export const TARGETS_DIR = path.resolve(here, '../targets');

export async function startTarget(
  script: string,
  options: { env?: Record<string, string>; profileDir?: string | null; name?: string } = {},
): Promise<Target> {
  const name = options.name ?? path.basename(script, '.ts');
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = fork(path.resolve(TARGETS_DIR, script), [], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: Message) => ('url' in m ? resolve(m.url) : reject(new Error(`${name}: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  return {
    url,
    stop: async () => {
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child's side: start the server, report its URL, stop cleanly when asked. */
export function serveTarget(start: () => Promise<{ url: string; stop(): Promise<void> }>): void {
  start().then(
    (server) => {
      process.send?.({ url: server.url } satisfies Message);
      process.on('message', (m) => {
        if (m !== 'stop') return;
        server.stop().finally(() => process.exit(0));
      });
    },
    (err: unknown) => {
      process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Message, () => process.exit(1));
    },
  );
}
