import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson, makeWorkspace } from '../../../test/factories.js';
import { startTestServer, type TestClient } from '../../../test/helpers.js';
import type { RunningServer } from '../server.js';
import { sealAudit, verifyAudit } from './audit-chain.js';
import { platformDb } from './db/platform-tables.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

/** A workspace whose audit log holds `n` people created by its administrator. */
async function workspaceWithHistory(n = 5): Promise<{ a: TestClient; workspaceId: string; people: string[] }> {
  const ws = await makeWorkspace(server);
  const people: string[] = [];
  for (let i = 0; i < n; i++) people.push((await makePerson(ws.admin.client, { familyName: '監査', givenName: `太郎${i}` })).id);
  return { a: ws.admin.client, workspaceId: ws.id, people };
}

const db = () => platformDb(server.database.db);
const q = (text: string, values: unknown[] = []) => server.database.pool.query(text, values);

async function sealedRow(workspaceId: string, offset = 2) {
  await sealAudit(db(), workspaceId);
  const { rows } = await q('SELECT id, seq::text AS seq FROM audit_log WHERE workspace_id = $1 ORDER BY audit_log.seq OFFSET $2 LIMIT 1', [
    workspaceId,
    offset,
  ]);
  return rows[0] as { id: string; seq: string };
}

describe('the hash-chained audit trail', () => {
  it('is intact after ordinary work, through the API, with every row sealed in order', async () => {
    const { a, workspaceId } = await workspaceWithHistory();
    const res = await a.get('/api/v1/audit/verify');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ intact: true, problems: [] });
    expect(res.body.rows).toBeGreaterThanOrEqual(6);
    const { rows } = await q('SELECT seq FROM audit_log WHERE workspace_id = $1 ORDER BY seq', [workspaceId]);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
  });

  it('reports a changed value, a changed actor and a changed time, each at its row', async () => {
    const { workspaceId } = await workspaceWithHistory();
    const r1 = await sealedRow(workspaceId, 1);
    const r2 = await sealedRow(workspaceId, 3);
    const r3 = await sealedRow(workspaceId, 4);
    await q(`UPDATE audit_log SET after = '{"familyName":"改ざん"}' WHERE workspace_id = $1 AND id = $2`, [workspaceId, r1.id]);
    await q(`UPDATE audit_log SET actor_id = NULL WHERE workspace_id = $1 AND id = $2`, [workspaceId, r2.id]);
    await q(`UPDATE audit_log SET created_at = created_at - interval '1 day' WHERE workspace_id = $1 AND id = $2`, [workspaceId, r3.id]);
    const report = await verifyAudit(db(), workspaceId);
    expect(report.intact).toBe(false);
    expect(report.problems).toEqual([
      { kind: 'changed', seq: r1.seq, id: r1.id },
      { kind: 'changed', seq: r2.seq, id: r2.id },
      { kind: 'changed', seq: r3.seq, id: r3.id },
    ]);
  });

  it('reports a deleted row, and a deleted tail through the chain head', async () => {
    const { workspaceId } = await workspaceWithHistory();
    const middle = await sealedRow(workspaceId, 2);
    await q('DELETE FROM audit_log WHERE workspace_id = $1 AND id = $2', [workspaceId, middle.id]);
    let report = await verifyAudit(db(), workspaceId);
    expect(report.problems).toEqual([{ kind: 'missing', seq: middle.seq }]);

    const { rows } = await q('SELECT max(seq)::text AS last FROM audit_log WHERE workspace_id = $1', [workspaceId]);
    await q('DELETE FROM audit_log WHERE workspace_id = $1 AND seq = $2', [workspaceId, rows[0].last]);
    report = await verifyAudit(db(), workspaceId);
    expect(report.problems).toContainEqual({ kind: 'missing', seq: rows[0].last });
    expect(report.intact).toBe(false);
  });

  it('stays intact through an APPI erasure, which scrubs values but is itself in the chain', async () => {
    const { a, workspaceId, people } = await workspaceWithHistory(2);
    await sealAudit(db(), workspaceId);
    const erase = await a.post(`/api/v1/people/${people[0]}/erase`, {
      reason: '本人からの削除請求',
      requestedAt: '2026-12-01T10:00:00+09:00',
    });
    expect(erase.status).toBe(200);
    expect((await verifyAudit(db(), workspaceId)).intact).toBe(true);
    // The erased marker is accepted only for a person whose erasure the chain records.
    const other = await q(
      `SELECT id, seq::text AS seq FROM audit_log WHERE workspace_id = $1 AND entity_id = $2 AND after IS NOT NULL ORDER BY seq LIMIT 1`,
      [workspaceId, people[1]],
    );
    await q(`UPDATE audit_log SET after = '{"erased":true}' WHERE workspace_id = $1 AND id = $2`, [workspaceId, other.rows[0].id]);
    const report = await verifyAudit(db(), workspaceId);
    expect(report.problems).toEqual([{ kind: 'changed', seq: other.rows[0].seq, id: other.rows[0].id }]);
  });

  it('seals concurrent writers and concurrent sealers into one gap-free chain per workspace', async () => {
    const { a, workspaceId } = await workspaceWithHistory(1);
    const other = await workspaceWithHistory(1);
    const writes = Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? a : other.a).post('/api/v1/companies', { name: `株式会社連鎖${i}`, ignoreDuplicates: true }),
    );
    const seals = Array.from({ length: 6 }, () => sealAudit(db()));
    await Promise.all([...writes, ...seals]);
    for (const ws of [workspaceId, other.workspaceId]) {
      const report = await verifyAudit(db(), ws);
      expect(report.problems).toEqual([]);
      expect(report.intact).toBe(true);
      expect(report.rows).toBeGreaterThanOrEqual(17);
    }
  });

  it('crm audit verify exits 1 and names the row when a chain is broken', async () => {
    const { workspaceId } = await workspaceWithHistory(2);
    const row = await sealedRow(workspaceId, 1);
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        const { DATABASE_URL: _x, ...env } = process.env;
        execFile(
          process.execPath,
          ['--import', 'tsx', path.resolve('src/server/cli.ts'), ...args],
          { env: { ...env, DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'silent' }, cwd: process.cwd(), timeout: 60_000 },
          (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    const ok = await run(['audit', 'verify', '--workspace', workspaceId]);
    expect(ok.stdout).toMatch(/intact/);
    expect(ok.code).toBe(0);
    await q(`UPDATE audit_log SET action = 'person.viewed' WHERE workspace_id = $1 AND id = $2`, [workspaceId, row.id]);
    const bad = await run(['audit', 'verify', '--workspace', workspaceId]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`"seq":"${row.seq}"`);
    expect((await run(['audit', 'verify', '--workspace', 'not-a-uuid'])).code).toBe(2);
  });
});
