import fs from 'node:fs';
import path from 'node:path';
import type { Lang } from './messages';

// platform.spec.ts meets each fresh server's set-up screen, so the other files of a run must wait until it is done
// in their project. The runner loads every test file before the workers start: platform.spec.ts leaves a mark then,
// and another mark per language when its tests have run. A file run alone sees no first mark and sets up itself.
const tmp = path.resolve('.tmp');
const runId = () => process.env.E2E_RUN_ID ?? '';
const listedMark = () => path.join(tmp, `e2e-platform-listed-${runId()}`);
const doneMark = (lang: Lang) => path.join(tmp, `e2e-platform-done-${lang}-${runId()}`);

/** Called at load time of platform.spec.ts: marks it as part of this run (only the runner process writes it). */
export function markPlatformInRun(): void {
  if (process.env.TEST_WORKER_INDEX || !runId()) return;
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(listedMark(), '');
}

export function markPlatformDone(lang: Lang): void {
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(doneMark(lang), '');
}

/** Wait until platform.spec.ts has run in this project, when it is part of the run. */
export async function afterPlatformSpec(lang: Lang, timeoutMs = 240_000): Promise<void> {
  if (!fs.existsSync(listedMark())) return;
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(doneMark(lang))) {
    if (Date.now() > deadline) throw new Error(`platform.spec.ts did not finish in project ${lang}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
