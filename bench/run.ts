import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { apiRead } from './benchmarks/api-read.bench.js';
import { customersQuery } from './benchmarks/customers-query.bench.js';
import { fuzzBench } from './benchmarks/fuzz.bench.js';
import { importBench } from './benchmarks/import.bench.js';
import { mixedLoad } from './benchmarks/mixed-load.bench.js';
import { ordersBench } from './benchmarks/orders.bench.js';
import { pipelineBoard } from './benchmarks/pipeline-board.bench.js';
import { timelineBench } from './benchmarks/timeline.bench.js';
import { webFirstLoad } from './benchmarks/web-first-load.bench.js';
import type { Benchmark, Figure } from './lib/types.js';

/** Every benchmark, in the order `npm run bench` runs them. Add new ones here. */
const benchmarks: Benchmark[] = [
  apiRead,
  customersQuery,
  fuzzBench,
  importBench,
  mixedLoad,
  ordersBench,
  pipelineBoard,
  timelineBench,
  webFirstLoad,
];

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results');

const usage = `npm run bench [-- <name>...] [--scale N] [--duration S] [--rounds R] [--profile DIR]

  <name>        run only these benchmarks (default: all)
  --scale N     data size; each benchmark defines N and its default
  --duration S  measured seconds of load per target (default 10)
  --rounds R    repeat the load measurements R times, alternating targets; report the median (default 1)
  --profile D   write CPU profiles of the servers under test into folder D
  --list        list the benchmarks

Set BENCH_DATABASE_URL to run on a PostgreSQL server (a fresh database is created and dropped)
instead of an embedded PostgreSQL in a temporary folder.`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      duration: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '1' },
      profile: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(usage);
  if (values.list) {
    for (const b of benchmarks) console.log(`${b.name.padEnd(16)} ${b.description} (default scale ${b.defaultScale})`);
    return;
  }
  const unknown = positionals.filter((n) => !benchmarks.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`);
  const selected = positionals.length ? benchmarks.filter((b) => positionals.includes(b.name)) : benchmarks;
  const duration = Number(values.duration);
  if (!(duration > 0)) throw new Error(`--duration must be a positive number of seconds, got ${values.duration}`);
  const rounds = Number(values.rounds);
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const scaleArg = values.scale === undefined ? undefined : Number(values.scale);
  if (scaleArg !== undefined && !(Number.isInteger(scaleArg) && scaleArg > 0))
    throw new Error(`--scale must be a positive integer, got ${values.scale}`);
  const profileDir = values.profile ? path.resolve(values.profile) : null;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  let failed = false;
  for (const b of selected) {
    const scale = scaleArg ?? b.defaultScale;
    const log = (m: string) => console.error(`[bench ${b.name}] ${m}`);
    log(`${b.description}; scale ${scale}`);
    const started = Date.now();
    let figures: Figure[];
    try {
      figures = await b.run({ scale, duration, rounds, profileDir, log });
    } catch (err) {
      failed = true;
      log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      continue;
    }
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    printTable(b.name, figures);
    const json = JSON.stringify(figures, null, 2);
    fs.writeFileSync(path.join(RESULTS_DIR, `${b.name}.json`), `${json}\n`);
    console.log(json);
  }
  if (failed) process.exitCode = 1;
}

function printTable(name: string, figures: Figure[]) {
  console.log(`\n${name}`);
  for (const f of figures) {
    const base = f.baseline === null ? '' : `  baseline ${f.baseline} ${f.unit}  ratio ${f.ratio}`;
    console.log(`  ${f.figure.padEnd(32)} ${String(f.value).padStart(10)} ${f.unit}${base}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
