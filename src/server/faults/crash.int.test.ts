import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers.js';
import { type CrashHarness, seeded, startCrashHarness } from './crash-support.js';

/**
 * SIGKILL at random (seeded) points with the server as a real child process, then a restart on the same database:
 * nothing committed is lost, nothing is half done, and background work picks up by itself.
 */

const random = seeded(20260610);
const between = (min: number, max: number) => Math.round(min + random() * (max - min));

let h: CrashHarness;

beforeAll(async () => {
  h = await startCrashHarness({ dataDirPrefix: 'crm-fault-crash-', env: { MAIL_ALLOW_PRIVATE_HOSTS: '127.0.0.0/8' } });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('SIGKILL during merges', () => {
  it('leaves every merge fully applied or not at all, and the consumers finish the applied ones after a restart', async () => {
    const PAIRS = 16;
    const company = (await h.client.call('POST', '/api/v1/companies', { name: '合併商事' })).body;
    const pairs: { s: string; m: string; mEmail: string }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const mEmail = `merge.${i}@example.jp`;
      const s = await h.client.call('POST', '/api/v1/people', {
        familyName: '統合',
        givenName: `残${i}`,
        emails: [{ address: `keep.${i}@example.jp` }],
      });
      const m = await h.client.call('POST', '/api/v1/people', {
        familyName: '統合',
        givenName: `消${i}`,
        emails: [{ address: mEmail }],
        phones: [{ number: `0312345${String(i).padStart(3, '0')}` }],
        companyId: company.id,
      });
      expect([s.status, m.status]).toEqual([201, 201]);
      // A deal and a task about the person to be merged away: they must follow it to the survivor.
      const deal = await h.client.call('POST', '/api/v1/deals', { title: `商談 ${i}`, personId: m.body.id });
      const task = await h.client.call('POST', '/api/v1/tasks', {
        title: `連絡 ${i}`,
        links: [{ entityType: 'person', entityId: m.body.id }],
      });
      expect([deal.status, task.status]).toEqual([201, 201]);
      pairs.push({ s: s.body.id, m: m.body.id, mEmail });
    }
    // Let the creations' events reach the timeline first, so every merged person has entries to move.
    await waitFor(
      'the timeline entries of the people',
      async () =>
        (await h.q('SELECT count(*)::int AS n FROM outbox WHERE workspace_id = $1 AND published_at IS NULL', [h.workspaceId]))[0].n === 0,
      { timeoutMs: 60_000 },
    );

    const killAfterMerges = between(1, PAIRS / 2);
    const killAfter = between(0, 60);
    const merges = pairs.map((p) =>
      h.client
        .call('POST', '/api/v1/people/merge', {
          survivorId: p.s,
          mergedId: p.m,
          survivorVersion: 1,
          mergedVersion: 1,
          fields: { emails: 'union', phones: 'union', company: 'merged' },
        })
        .then((r) => r.status)
        .catch(() => 0),
    );
    // The kill point: after a random number of merges committed, plus a random few milliseconds.
    await waitFor(
      'some merges to commit',
      async () =>
        (await h.q('SELECT count(*)::int AS n FROM people WHERE workspace_id = $1 AND merged_into IS NOT NULL', [h.workspaceId]))[0].n >=
        killAfterMerges,
      { timeoutMs: 60_000, intervalMs: 10 },
    );
    await new Promise((r) => setTimeout(r, killAfter));
    const restartMs = await h.killAndRestart();
    const statuses = await Promise.all(merges);

    const merged = new Set<string>();
    for (const p of pairs) {
      const [m] = await h.q('SELECT merged_into, deleted_at, version FROM people WHERE workspace_id = $1 AND id = $2', [
        h.workspaceId,
        p.m,
      ]);
      const [s] = await h.q('SELECT version, emails FROM people WHERE workspace_id = $1 AND id = $2', [h.workspaceId, p.s]);
      const mPoints = (
        await h.q('SELECT count(*)::int AS n FROM contact_points WHERE workspace_id = $1 AND entity_id = $2', [h.workspaceId, p.m])
      )[0].n;
      const mJobs = (
        await h.q('SELECT count(*)::int AS n FROM employments WHERE workspace_id = $1 AND person_id = $2', [h.workspaceId, p.m])
      )[0].n;
      const audits = (
        await h.q("SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND entity_id = $2 AND action = 'person.merged'", [
          h.workspaceId,
          p.s,
        ])
      )[0].n;
      const events = (
        await h.q(
          "SELECT count(*)::int AS n FROM outbox WHERE workspace_id = $1 AND type = 'person.merged' AND payload->>'mergedId' = $2",
          [h.workspaceId, p.m],
        )
      )[0].n;
      const state = {
        pair: p.m,
        mergedInto: m.merged_into,
        deleted: m.deleted_at !== null,
        sVersion: s.version,
        mPoints,
        mJobs,
        audits,
        events,
      };
      if (m.merged_into) {
        merged.add(p.m);
        // Fully applied: the survivor took the values, the merged person's rows moved, audit row and event written.
        expect(state).toEqual({ ...state, mergedInto: p.s, deleted: true, sVersion: 2, mPoints: 0, mJobs: 0, audits: 1, events: 1 });
        expect(s.emails.map((e: { address: string }) => e.address)).toContain(p.mEmail);
      } else {
        // Not at all: both records as they were.
        expect(state).toEqual({ ...state, deleted: false, sVersion: 1, mPoints: 2, mJobs: 1, audits: 0, events: 0 });
      }
    }
    // Only merges the server confirmed (200) are certain to be applied; none of them may be missing.
    pairs.forEach((p, i) => {
      if (statuses[i] === 200) expect(merged.has(p.m)).toBe(true);
    });

    // After the restart the consumers finish every applied merge: the merged person's timeline entries move to the
    // survivor; it keeps only the entry of its own merge ("merged into"), which is written after the move.
    const ids = [...merged];
    await waitFor(
      'the timeline entries of merged people to move to their survivors',
      async () => {
        const [left] = await h.q(
          `SELECT count(*) FILTER (WHERE o.event_id IS NULL)::int AS others
             FROM timeline_entries t
             LEFT JOIN outbox o ON o.workspace_id = t.workspace_id AND o.event_id = t.event_id AND o.type = 'person.deleted' AND o.entity_id = t.entity_id
            WHERE t.workspace_id = $1 AND t.entity_id = ANY($2::uuid[])`,
          [h.workspaceId, ids],
        );
        const [pending] = await h.q(
          "SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ('event.timeline', 'event.email-merge', 'event.sales-merge', 'event.task-merge') AND state < 'completed'",
        );
        return left.others === 0 && pending.n === 0;
      },
      // The killed process's consumer jobs are handed out again when they expire (60 s, checked every 15 s): about
      // 75 s after the kill here, longer on a loaded two-core CI machine (seen: over 100 s).
      { timeoutMs: 150_000, intervalMs: 500 },
    );
    // Nothing points at a merged person any more: mail links, deals, tasks (moved by their modules' consumers).
    const [refs] = await h.q(
      `SELECT (SELECT count(*) FROM email_links WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]))::int AS mail,
              (SELECT count(*) FROM deals WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]))::int AS deals,
              (SELECT count(*) FROM task_links WHERE workspace_id = $1 AND entity_id = ANY($2::uuid[]))::int AS tasks,
              (SELECT count(*) FROM activity_links WHERE workspace_id = $1 AND entity_id = ANY($2::uuid[]))::int AS activities`,
      [h.workspaceId, ids],
    );
    expect(refs).toEqual({ mail: 0, deals: 0, tasks: 0, activities: 0 });
    const [moved] = await h.q(
      `SELECT (SELECT count(*) FROM deals d JOIN people p ON p.workspace_id = d.workspace_id AND p.id = d.person_id
                WHERE d.workspace_id = $1 AND p.deleted_at IS NULL)::int AS deals,
              (SELECT count(*) FROM task_links l JOIN people p ON p.workspace_id = l.workspace_id AND p.id = l.entity_id
                WHERE l.workspace_id = $1 AND p.deleted_at IS NULL)::int AS tasks`,
      [h.workspaceId],
    );
    expect(moved).toEqual({ deals: PAIRS, tasks: PAIRS });
    // Unapplied merges can be made now: nothing was left locked or half-written.
    for (const p of pairs.filter((x) => !merged.has(x.m))) {
      const r = await h.client.call('POST', '/api/v1/people/merge', {
        survivorId: p.s,
        mergedId: p.m,
        survivorVersion: 1,
        mergedVersion: 1,
      });
      expect(r.status).toBe(200);
    }
    console.log(
      `[faults] merges: killed ${killAfter} ms after ${killAfterMerges} merges committed: ${merged.size}/${PAIRS} applied, restart took ${restartMs} ms`,
    );
  }, 240_000);
});

describe('SIGKILL while mails are being sent', () => {
  it('delivers every queued mail after a restart, none lost', async () => {
    const MAILS = 30;
    const received: { messageId: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const parsed = await simpleParser(Buffer.concat(chunks));
          received.push({ messageId: parsed.messageId ?? '' });
          // A provider that takes a moment per message: the kill lands in the middle of the batch.
          setTimeout(() => callback(), 40);
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    try {
      const smtpPort = (smtp.server.address() as { port: number }).port;
      const current = await h.client.call('GET', '/api/v1/mail/settings');
      const saved = await h.client.call('PATCH', '/api/v1/mail/settings', {
        version: current.body.version,
        smtp: { host: '127.0.0.1', port: smtpPort, security: 'none', fromAddress: 'sales@example.jp', fromName: '営業部' },
      });
      expect(saved.status).toBe(200);
      const person = (await h.client.call('POST', '/api/v1/people', { familyName: '宛先', emails: [{ address: 'to@example.jp' }] })).body;
      const killAfterMails = between(1, MAILS - 10);
      const killAfter = between(0, 60);
      const queued: Promise<number>[] = [];
      for (let i = 0; i < MAILS; i++) {
        queued.push(
          h.client
            .call('POST', '/api/v1/emails', { personId: person.id, subject: `お知らせ ${i}`, body: `本文 ${i}` })
            .then((r) => r.status)
            .catch(() => 0),
        );
      }
      // The kill point: a random number of mails delivered, plus a random few milliseconds.
      await waitFor('some mails to be delivered', () => received.length >= killAfterMails, { timeoutMs: 60_000, intervalMs: 5 });
      await new Promise((r) => setTimeout(r, killAfter));
      const receivedAtKill = received.length;
      const restartMs = await h.killAndRestart();
      const accepted = (await Promise.all(queued)).filter((s) => s === 202).length;
      const restartedAt = Date.now();
      const stored = await h.q("SELECT message_id, status FROM email_messages WHERE workspace_id = $1 AND direction = 'out'", [
        h.workspaceId,
      ]);
      // Every request the server accepted is stored; it may also have stored ones whose answer the kill cut off.
      expect(stored.length).toBeGreaterThanOrEqual(accepted);
      await waitFor(
        'every stored mail to be delivered',
        async () => {
          const ids = new Set(received.map((r) => r.messageId));
          return stored.every((m) => ids.has(m.message_id)) ? true : undefined;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 500,
          describe: async () => ({
            received: received.length,
            stored: stored.length,
            statuses: await h.q('SELECT status, count(*)::int AS n FROM email_messages WHERE workspace_id = $1 GROUP BY status', [
              h.workspaceId,
            ]),
          }),
        },
      );
      const deliveredMs = Date.now() - restartedAt;
      await waitFor(
        'every mail to be recorded as sent',
        async () =>
          (
            await h.q("SELECT count(*)::int AS n FROM email_messages WHERE workspace_id = $1 AND direction = 'out' AND status <> 'sent'", [
              h.workspaceId,
            ])
          )[0].n === 0,
        { timeoutMs: 30_000 },
      );
      const distinct = new Set(received.map((r) => r.messageId)).size;
      expect(distinct).toBe(stored.length);
      console.log(
        `[faults] mail: ${accepted} accepted, ${stored.length} stored, killed ${killAfter} ms after ${killAfterMails} delivered (${receivedAtKill} by then); ` +
          `restart ${restartMs} ms; all delivered ${deliveredMs} ms after the restart; ${received.length - distinct} duplicate deliveries (same Message-ID)`,
      );
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  }, 180_000);
});
