// Sums the JSON reports of Vitest and Playwright into the one line CI reads: "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.tmp';
let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;

function walkPlaywright(suite) {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      const last = test.results?.at(-1)?.status;
      if (test.status === 'skipped' || last === 'skipped') skipped++;
      else if (test.status === 'expected' || test.status === 'flaky') passed++;
      else failed++;
    }
  }
  for (const child of suite.suites ?? []) walkPlaywright(child);
}

for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  reports++;
  if (file.startsWith('vitest')) {
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0) - (report.numFailedTests ? 0 : 0);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  } else if (file.startsWith('playwright')) {
    for (const s of report.suites ?? []) walkPlaywright(s);
    failed += (report.errors ?? []).length;
  }
}
if (reports === 0) failed++;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || skipped > 0 ? 1 : 0);
