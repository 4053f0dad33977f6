import autocannon from 'autocannon';
import { percentile, type Summary, summarize } from './stats.js';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Concurrent keep-alive connections (default 10). */
  connections?: number;
  /** Measured seconds. */
  duration: number;
  /** Unmeasured seconds first, so the JIT, pools and caches are warm (default 3). */
  warmup?: number;
  /** The server's CPU clock (see Target.cpuMs), to report its CPU time per request. */
  serverCpuMs?: () => Promise<number>;
}

export interface LoadResult {
  requestsPerSec: number;
  requests: number;
  latencyMs: Summary;
  /** Server CPU ms per request during the measured run (null without serverCpuMs). */
  cpuMsPerRequest: number | null;
}

function run(options: autocannon.Options, onResponse?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    if (onResponse) instance.on('response', (_client, _status, _bytes, ms) => onResponse(ms));
  });
}

/**
 * HTTP load with autocannon: a warm-up, then a measured run whose every response time is kept so
 * p95 is exact rather than read off autocannon's fixed buckets. Any error or non-2xx fails the run:
 * a benchmark of 401s measures nothing.
 */
export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const base: autocannon.Options = { url: options.url, headers: options.headers, connections: options.connections ?? 10 };
  const warmup = options.warmup ?? 3;
  if (warmup > 0) await run({ ...base, duration: warmup });
  const latencies: number[] = [];
  const cpuBefore = await options.serverCpuMs?.();
  const result = await run({ ...base, duration: options.duration }, (ms) => latencies.push(ms));
  const cpuAfter = await options.serverCpuMs?.();
  if (result.errors || result.non2xx) {
    throw new Error(`${options.url}: ${result.errors} errors, ${result.non2xx} non-2xx responses out of ${result.requests.total}`);
  }
  return {
    requestsPerSec: result.requests.total / result.duration,
    requests: result.requests.total,
    latencyMs: summarize(latencies),
    cpuMsPerRequest: cpuBefore === undefined || cpuAfter === undefined ? null : (cpuAfter - cpuBefore) / result.requests.total,
  };
}

/** Of several runs of one target, the median of each figure (requests/s and each latency percentile). */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  if (runs.length === 0) throw new Error('no runs');
  const med = (pick: (r: LoadResult) => number) =>
    percentile(
      runs.map(pick).sort((a, b) => a - b),
      50,
    );
  return {
    requestsPerSec: med((r) => r.requestsPerSec),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    cpuMsPerRequest: runs.some((r) => r.cpuMsPerRequest === null) ? null : med((r) => r.cpuMsPerRequest as number),
    latencyMs: {
      count: runs.reduce((n, r) => n + r.latencyMs.count, 0),
      min: Math.min(...runs.map((r) => r.latencyMs.min)),
      mean: med((r) => r.latencyMs.mean),
      p50: med((r) => r.latencyMs.p50),
      p95: med((r) => r.latencyMs.p95),
      p99: med((r) => r.latencyMs.p99),
      max: Math.max(...runs.map((r) => r.latencyMs.max)),
    },
  };
}
