/** One measured number. `baseline` is the raw PostgreSQL / bare-server figure from the same run. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  scale: number;
}

export interface BenchContext {
  /** Data size; each benchmark says what it means. */
  scale: number;
  /** Seconds of measured load per target, where a benchmark applies load for a time. */
  duration: number;
  /** Repetitions of a load measurement (`--rounds`); figures are the median round. */
  rounds: number;
  /** Write a CPU profile of the server processes into this folder (`--profile DIR`). */
  profileDir: string | null;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  description: string;
  defaultScale: number;
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** A figure with its ratio worked out. */
export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const ratio = f.baseline ? round(f.value / f.baseline, 3) : null;
  return { figure: f.figure, value: f.value, unit: f.unit, baseline: f.baseline, ratio, scale: f.scale };
}

export function round(n: number, digits = 2): number {
  const m = 10 ** digits;
  return Math.round(n * m) / m;
}
