import { describe, expect, it } from 'vitest';
import { type LoadResult, medianRun } from './load.js';

const run = (rps: number, p95: number, cpu: number | null): LoadResult => ({
  requestsPerSec: rps,
  requests: rps * 10,
  cpuMsPerRequest: cpu,
  latencyMs: { count: rps * 10, min: 1, mean: p95 / 2, p50: p95 / 3, p95, p99: p95 * 2, max: p95 * 3 },
});

describe('medianRun', () => {
  it('takes the median of each figure across rounds, so one disturbed round does not move the result', () => {
    const m = medianRun([run(1000, 10, 0.5), run(200, 90, 1.5), run(1100, 9, 0.4)]);
    expect(m.requestsPerSec).toBe(1000);
    expect(m.latencyMs.p95).toBe(10);
    expect(m.cpuMsPerRequest).toBe(0.5);
    expect(m.requests).toBe(23_000);
    expect(m.latencyMs.max).toBe(270);
  });

  it('reports no CPU figure when a round had none, and refuses no runs', () => {
    expect(medianRun([run(1000, 10, null), run(900, 11, 0.3)]).cpuMsPerRequest).toBeNull();
    expect(() => medianRun([])).toThrow();
  });
});
