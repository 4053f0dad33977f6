import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { PlatformDb, PlatformTx } from './db/platform-tables.js';

/**
 * The audit trail as a hash chain per workspace. A row is sealed after it commits: it gets the next sequence number
 * of its workspace, the sha256 of its before/after values (content digest), and
 * hash = sha256(previous hash ‖ the row's other columns ‖ content digest). Changing any column of a sealed row, or
 * deleting one, breaks the chain from there; deleting the newest rows leaves the head (audit_chain_heads) pointing
 * past the end. APPI erasure replaces a person's before/after values with a marker but keeps the digest, and is itself
 * an audit row in the chain: verify accepts scrubbed values only for a person whose erasure the chain records.
 *
 * Sealing runs in the background (every few seconds on an instance with workers, and before every verify), so
 * writers never wait on one another for it. A row not sealed yet is not protected: that window is seconds.
 */

const GENESIS = Buffer.alloc(32);
const BATCH = 2000;
export const ERASED_MARKER = '{"erased": true}';

interface ChainRow {
  workspace_id: string;
  id: string;
  seq: string | null;
  actor_id: string | null;
  actor_type: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  created: string;
  content_digest: Buffer | null;
  hash: Buffer | null;
}

// jsonb as its canonical text and the time as UTC microseconds: the same bytes on every read.
const columns = sql`workspace_id, id, seq::text AS seq, actor_id, actor_type, action, entity_type, entity_id,
  before::text AS before, after::text AS after, ip,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created, content_digest, hash`;

function sha256(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function contentDigest(row: Pick<ChainRow, 'before' | 'after'>): Buffer {
  return sha256(JSON.stringify([row.before, row.after]));
}

export function rowHash(previous: Buffer, row: ChainRow, digest: Buffer, seq: string): Buffer {
  const header = JSON.stringify([
    row.workspace_id,
    row.id,
    seq,
    row.actor_id,
    row.actor_type,
    row.action,
    row.entity_type,
    row.entity_id,
    row.ip,
    row.created,
  ]);
  return sha256(previous, header, digest);
}

/** Seal the committed, unsealed rows of one workspace; returns how many. One sealer per workspace at a time. */
async function sealWorkspace(db: PlatformDb, workspaceId: string): Promise<number> {
  let sealed = 0;
  for (;;) {
    const n = await db.transaction().execute(async (trx: PlatformTx) => {
      await sql`INSERT INTO audit_chain_heads (workspace_id, seq, hash) VALUES (${workspaceId}, 0, ${GENESIS})
                ON CONFLICT (workspace_id) DO NOTHING`.execute(trx);
      const head = (
        await sql<{ seq: string; hash: Buffer }>`SELECT seq::text AS seq, hash FROM audit_chain_heads
          WHERE workspace_id = ${workspaceId} FOR UPDATE`.execute(trx)
      ).rows[0];
      if (!head) return 0;
      const { rows } = await sql<ChainRow>`SELECT ${columns} FROM audit_log
        WHERE workspace_id = ${workspaceId} AND seq IS NULL ORDER BY created_at, id LIMIT ${BATCH}`.execute(trx);
      if (!rows.length) return 0;
      let seq = BigInt(head.seq);
      let previous = head.hash;
      const ids: string[] = [];
      const seqs: string[] = [];
      const digests: Buffer[] = [];
      const hashes: Buffer[] = [];
      for (const row of rows) {
        seq += 1n;
        const digest = contentDigest(row);
        previous = rowHash(previous, row, digest, seq.toString());
        ids.push(row.id);
        seqs.push(seq.toString());
        digests.push(digest);
        hashes.push(previous);
      }
      await sql`UPDATE audit_log a SET seq = s.seq, content_digest = s.digest, hash = s.hash
        FROM unnest(${ids}::uuid[], ${seqs}::bigint[], ${digests}::bytea[], ${hashes}::bytea[]) AS s(id, seq, digest, hash)
        WHERE a.workspace_id = ${workspaceId} AND a.id = s.id AND a.seq IS NULL`.execute(trx);
      await sql`UPDATE audit_chain_heads SET seq = ${seq.toString()}, hash = ${previous}, sealed_at = now()
        WHERE workspace_id = ${workspaceId}`.execute(trx);
      return rows.length;
    });
    sealed += n;
    if (n < BATCH) return sealed;
  }
}

/** Seal every workspace's new audit rows (or one workspace's). */
export async function sealAudit(db: PlatformDb, workspaceId?: string): Promise<number> {
  const workspaces = workspaceId
    ? [workspaceId]
    : (await sql<{ workspace_id: string }>`SELECT DISTINCT workspace_id FROM audit_log WHERE seq IS NULL`.execute(db)).rows.map(
        (r) => r.workspace_id,
      );
  let total = 0;
  for (const ws of workspaces) total += await sealWorkspace(db, ws);
  return total;
}

export type ChainProblem =
  | { kind: 'changed'; seq: string; id: string }
  | { kind: 'missing'; seq: string }
  | { kind: 'head_mismatch'; seq: string }
  | { kind: 'unsealed'; count: number };

export interface ChainReport {
  workspaceId: string;
  rows: number;
  headSeq: string;
  intact: boolean;
  problems: ChainProblem[];
}

const MAX_PROBLEMS = 100;

/** People whose erasure the chain records: their rows may carry the erased marker instead of their values. */
async function erasedPeople(db: PlatformDb, workspaceId: string): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    SELECT entity_id::text AS id FROM audit_log
     WHERE workspace_id = ${workspaceId} AND action = 'person.erased' AND entity_id IS NOT NULL AND seq IS NOT NULL
    UNION
    SELECT jsonb_array_elements_text(after -> 'records') FROM audit_log
     WHERE workspace_id = ${workspaceId} AND action = 'person.erased' AND jsonb_typeof(after -> 'records') = 'array' AND seq IS NOT NULL`.execute(
    db,
  );
  return new Set(rows.map((r) => r.id));
}

function isErasedValue(v: string | null) {
  return v === null || v === ERASED_MARKER;
}

/** Walk one workspace's chain in order and report every break. Seals pending rows first unless told not to. */
export async function verifyAudit(db: PlatformDb, workspaceId: string, options: { seal?: boolean } = {}): Promise<ChainReport> {
  if (options.seal !== false) await sealWorkspace(db, workspaceId);
  const erased = await erasedPeople(db, workspaceId);
  const problems: ChainProblem[] = [];
  const add = (p: ChainProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let previous: Buffer = GENESIS;
  let expected = 1n;
  let rows = 0;
  let after = 0n;
  for (;;) {
    const page = (
      await sql<ChainRow>`SELECT ${columns} FROM audit_log
        WHERE workspace_id = ${workspaceId} AND seq > ${after.toString()} ORDER BY audit_log.seq LIMIT ${BATCH}`.execute(db)
    ).rows;
    for (const row of page) {
      const seq = BigInt(row.seq as string);
      const afterGap = expected < seq;
      for (; expected < seq; expected++) add({ kind: 'missing', seq: expected.toString() });
      rows++;
      const stored = row.content_digest ?? Buffer.alloc(0);
      const actual = contentDigest(row);
      const contentOk =
        actual.equals(stored) ||
        (row.entity_type === 'person' &&
          !!row.entity_id &&
          erased.has(row.entity_id) &&
          isErasedValue(row.before) &&
          isErasedValue(row.after));
      const hash = rowHash(previous, row, stored, row.seq as string);
      // Right after a missing row the link cannot be checked (its hash went with it): the gap is the finding.
      const linkOk = afterGap || (!!row.hash && hash.equals(row.hash));
      if (!contentOk || !linkOk) add({ kind: 'changed', seq: row.seq as string, id: row.id });
      // Continue from the stored hash, so one broken row is reported once and not as every row after it.
      previous = row.hash ?? hash;
      expected = seq + 1n;
    }
    if (page.length < BATCH) break;
    after = BigInt(page.at(-1)?.seq as string);
  }
  const head = (
    await sql<{
      seq: string;
      hash: Buffer;
    }>`SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE workspace_id = ${workspaceId}`.execute(db)
  ).rows[0];
  const headSeq = head?.seq ?? '0';
  if (BigInt(headSeq) >= expected) {
    for (; expected <= BigInt(headSeq) && problems.length < MAX_PROBLEMS; expected++) add({ kind: 'missing', seq: expected.toString() });
  }
  if (head && BigInt(headSeq) > 0n && !(head.hash as Buffer).equals(previous)) add({ kind: 'head_mismatch', seq: headSeq });
  const unsealed = Number(
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = ${workspaceId} AND seq IS NULL`.execute(db))
      .rows[0]?.n ?? 0,
  );
  if (unsealed > 0) add({ kind: 'unsealed', count: unsealed });
  return { workspaceId, rows, headSeq, intact: problems.every((p) => p.kind === 'unsealed'), problems };
}
