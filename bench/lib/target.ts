import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A server under test runs in a child process of its own, so the load generator (autocannon, in
 * this process) does not share its event loop. With a profile folder the child runs under
 * `--cpu-prof` and writes its `.cpuprofile` files into `<folder>/<name>/` when stopped.
 */
export interface Target {
  url: string;
  /** CPU time (user + system) the server process has used so far, in ms: per-request cost that neighbours on a shared machine do not distort as much as requests/s. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

type Message = { url: string } | { error: string } | { cpuMs: number };

const here = path.dirname(fileURLToPath(import.meta.url));
export const TARGETS_DIR = path.resolve(here, '../targets');

export async function startTarget(
  script: string,
  options: { env?: Record<string, string>; profileDir?: string | null; name?: string } = {},
): Promise<Target> {
  const name = options.name ?? path.basename(script, '.ts');
  // One folder per target: tsx's loader thread writes a profile of its own next to the main thread's.
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, name)}`] : [];
  const child = fork(path.resolve(TARGETS_DIR, script), [], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: Message) =>
      'url' in m ? resolve(m.url) : reject(new Error(`${name}: ${'error' in m ? m.error : 'bad message'}`)),
    );
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  return {
    url,
    cpuMs: () =>
      new Promise((resolve) => {
        const onMessage = (m: Message) => {
          if (!('cpuMs' in m)) return;
          child.off('message', onMessage);
          resolve(m.cpuMs);
        };
        child.on('message', onMessage);
        child.send('cpu');
      }),
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
        if (m === 'cpu') {
          const { user, system } = process.cpuUsage();
          process.send?.({ cpuMs: (user + system) / 1000 } satisfies Message);
        }
        if (m === 'stop') server.stop().finally(() => process.exit(0));
      });
    },
    (err: unknown) => {
      process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Message, () => process.exit(1));
    },
  );
}
