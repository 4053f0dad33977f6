import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.js';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns the nearest-rank value: p95 of 1..100 is 95, p99 is 99, p50 is 50', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
  });

  it('returns the minimum for p0 and the maximum for p100', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('rounds the rank up on small samples so p95 is never below the true tail', () => {
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN on no samples and rejects a p outside 0..100', () => {
    expect(percentile([], 95)).toBeNaN();
    expect(() => percentile(hundred, 101)).toThrow(RangeError);
    expect(() => percentile(hundred, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically (not as strings) and leaves the input untouched', () => {
    const samples = [100, 9, 25, 3, 1000, 7, 50, 2, 1, 80];
    const copy = [...samples];
    const s = summarize(samples);
    expect(samples).toEqual(copy);
    expect(s).toMatchObject({ count: 10, min: 1, max: 1000, p50: 9, p95: 1000, p99: 1000 });
    expect(s.mean).toBeCloseTo(127.7);
  });

  it('gives p95 of 1..1000 as 950', () => {
    const s = summarize(Array.from({ length: 1000 }, (_, i) => 1000 - i));
    expect(s.p95).toBe(950);
    expect(s.p99).toBe(990);
  });
});
