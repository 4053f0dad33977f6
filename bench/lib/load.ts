import autocannon from 'autocannon';
import { type Summary, summarize } from './stats.js';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Concurrent keep-alive connections (default 10). */
  connections?: number;
  /** Measured seconds. */
  duration: number;
  /** Unmeasured seconds first, so the JIT, pools and caches are warm (default 3). */
  warmup?: number;
}

export interface LoadResult {
  requestsPerSec: number;
  requests: number;
  latencyMs: Summary;
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
  const result = await run({ ...base, duration: options.duration }, (ms) => latencies.push(ms));
  if (result.errors || result.non2xx) {
    throw new Error(`${options.url}: ${result.errors} errors, ${result.non2xx} non-2xx responses out of ${result.requests.total}`);
  }
  return {
    requestsPerSec: result.requests.total / result.duration,
    requests: result.requests.total,
    latencyMs: summarize(latencies),
  };
}
