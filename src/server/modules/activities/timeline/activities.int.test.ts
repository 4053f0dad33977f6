import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePerson } from '../../../../../test/factories.js';
import { addUser, createTestWorkspace, signIn, startTestServer, type TestClient, waitFor } from '../../../../../test/helpers.js';
import type { TimelineEntry } from '../../../../shared/contracts/activities.js';
import { loadConfig } from '../../../platform/config.js';
import type { RunningServer } from '../../../server.js';

let server: RunningServer;
let admin: TestClient;
let adminId: string;
const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-attachments-'));
const MAX = 64 * 1024;

beforeAll(async () => {
  const defaults = loadConfig({}, process.cwd()).attachments;
  server = await startTestServer({ config: { attachments: { ...defaults, dir: attachmentsDir, maxBytes: MAX } } });
  const ws = await createTestWorkspace(server);
  adminId = ws.adminId;
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(attachmentsDir, { recursive: true, force: true });
});

/** Polls a timeline until it has an entry that matches. */
async function entryOn(client: TestClient, type: string, id: string, match: (e: TimelineEntry) => boolean, query = '') {
  return waitFor(async () => {
    const res = await client.get(`/api/v1/timeline/${type}/${id}${query}`);
    return (res.body.data as TimelineEntry[] | undefined)?.find(match);
  });
}

describe('logging activities', () => {
  it('logs a note, a call and a meeting, and each shows on the person’s timeline with its details', async () => {
    const p = await makePerson(admin);
    const note = await admin.post('/api/v1/activities', {
      kind: 'note',
      body: '資料を送付予定',
      links: [{ entityType: 'person', entityId: p.id }],
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ kind: 'note', body: '資料を送付予定', version: 1, createdBy: adminId });
    const call = await admin.post('/api/v1/activities', {
      kind: 'call',
      subject: '見積の件',
      body: '来週再度連絡',
      links: [{ entityType: 'person', entityId: p.id }],
      call: { direction: 'out', durationSeconds: 300, outcome: 'connected' },
    });
    expect(call.status).toBe(201);
    expect(call.body.details).toEqual({ direction: 'out', durationSeconds: 300, outcome: 'connected' });
    const meeting = await admin.post('/api/v1/activities', {
      kind: 'meeting',
      subject: '定例',
      links: [{ entityType: 'person', entityId: p.id }],
      meeting: {
        attendees: ['山田 太郎', '佐藤'],
        place: '本社 会議室A',
        startAt: '2026-11-20T10:00:00+09:00',
        endAt: '2026-11-20T11:00:00+09:00',
      },
      occurredAt: '2026-11-20T10:00:00+09:00',
    });
    expect(meeting.status).toBe(201);

    const callEntry = await entryOn(admin, 'person', p.id, (e) => e.sourceId === call.body.id);
    expect(callEntry).toMatchObject({
      kind: 'call',
      actorId: adminId,
      actorName: '管理 太郎',
      sourceType: 'activity',
      summary: { subject: '見積の件', body: '来週再度連絡', details: { direction: 'out', durationSeconds: 300, outcome: 'connected' } },
    });
    await entryOn(
      admin,
      'person',
      p.id,
      (e) => e.sourceId === meeting.body.id && (e.summary.details as { place?: string }).place === '本社 会議室A',
    );
    const all = await admin.get(`/api/v1/timeline/person/${p.id}`);
    // newest first: the meeting happened days ago, so it comes after the note and the call
    const kinds = (all.body.data as TimelineEntry[]).filter((e) => e.sourceType === 'activity').map((e) => e.kind);
    expect(kinds.at(-1)).toBe('meeting');
  });

  it('refuses bad input with a 4xx and a stable code, and changes nothing', async () => {
    const p = await makePerson(admin);
    const link = [{ entityType: 'person', entityId: p.id }];
    const cases: [unknown, number, string][] = [
      [{ kind: 'fax', body: 'x', links: link }, 400, 'validation_failed'],
      [{ kind: 'call', body: 'x', links: link, call: { direction: 'sideways' } }, 400, 'validation_failed'],
      [{ kind: 'call', body: 'x', links: link }, 400, 'validation_failed'],
      [{ kind: 'note', body: 'x', links: [] }, 400, 'validation_failed'],
      [{ kind: 'note', body: 'x', links: [{ entityType: 'person', entityId: 'not-a-uuid' }] }, 400, 'validation_failed'],
      [{ kind: 'note', body: 'x', links: [{ entityType: 'person', entityId: '0190f5a0-0000-7000-8000-000000000000' }] }, 404, 'not_found'],
      [
        { kind: 'meeting', links: link, meeting: { startAt: '2026-11-20T11:00:00+09:00', endAt: '2026-11-20T10:00:00+09:00' } },
        400,
        'validation_failed',
      ],
      [{ kind: 'note', body: 'x', links: link, mentionIds: ['0190f5a0-0000-7000-8000-000000000000'] }, 400, 'validation_failed'],
      [{ kind: 'note', body: 'x'.repeat(20_001), links: link }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin.post('/api/v1/activities', body);
      expect([res.status, res.body.error?.code], JSON.stringify(body).slice(0, 120)).toEqual([status, code]);
    }
    const bad = await admin.get(`/api/v1/timeline/person/${p.id}?kinds=call,bogus`);
    expect(bad.status).toBe(400);
    const badCursor = await admin.get(`/api/v1/timeline/person/${p.id}?cursor=nonsense`);
    expect([badCursor.status, badCursor.body.error.code]).toEqual([400, 'validation_failed']);
    await new Promise((r) => setTimeout(r, 800));
    const tl = await admin.get(`/api/v1/timeline/person/${p.id}`);
    expect((tl.body.data as TimelineEntry[]).filter((e) => e.sourceType === 'activity')).toEqual([]);
  });

  it('treats another workspace’s records and activities as not found', async () => {
    const other = await createTestWorkspace(server);
    const stranger = await signIn(server, other.adminEmail);
    const p = await makePerson(admin);
    const act = await admin.post('/api/v1/activities', { kind: 'note', body: '秘密', links: [{ entityType: 'person', entityId: p.id }] });
    const res = await stranger.post('/api/v1/activities', { kind: 'note', body: 'x', links: [{ entityType: 'person', entityId: p.id }] });
    expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    expect((await stranger.get(`/api/v1/activities/${act.body.id}`)).status).toBe(404);
    expect((await stranger.patch(`/api/v1/activities/${act.body.id}`, { version: 1, body: 'y' })).status).toBe(404);
    expect((await stranger.get(`/api/v1/timeline/person/${p.id}`)).status).toBe(404);
  });

  it('edits with optimistic concurrency: a stale version gets 409 with the current activity, and the timeline follows the edit', async () => {
    const p = await makePerson(admin);
    const act = await admin.post('/api/v1/activities', { kind: 'note', body: '初版', links: [{ entityType: 'person', entityId: p.id }] });
    const editor = await addUser(server, admin, 'member', '編集 する人');
    const first = await editor.client.patch(`/api/v1/activities/${act.body.id}`, { version: 1, body: '第二版' });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const stale = await admin.patch(`/api/v1/activities/${act.body.id}`, { version: 1, body: '古い版' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current).toMatchObject({ body: '第二版', version: 2 });
    const edited = await entryOn(admin, 'person', p.id, (e) => e.sourceId === act.body.id && e.summary.body === '第二版');
    // the entry still names the author, not the editor
    expect(edited.actorId).toBe(adminId);
    const entries = (await admin.get(`/api/v1/timeline/person/${p.id}`)).body.data.filter((e: TimelineEntry) => e.sourceId === act.body.id);
    expect(entries).toHaveLength(1);
    expect((await admin.delete(`/api/v1/activities/${act.body.id}`)).status).toBe(200);
    await waitFor(async () => {
      const tl = await admin.get(`/api/v1/timeline/person/${p.id}`);
      return (tl.body.data as TimelineEntry[]).some((e) => e.sourceId === act.body.id) ? undefined : true;
    });
    expect((await admin.get(`/api/v1/activities/${act.body.id}`)).status).toBe(404);
  });

  it('hands the person’s activities to a personal data export (開示請求), with attachment names', async () => {
    const p = await makePerson(admin);
    const act = await admin.post('/api/v1/activities', {
      kind: 'call',
      body: '折り返し希望',
      links: [{ entityType: 'person', entityId: p.id }],
      call: { direction: 'in' },
    });
    const up = await admin.request('POST', `/api/v1/activities/${act.body.id}/attachments?filename=memo.txt`, Buffer.from('x'), {
      'content-type': 'text/plain',
    });
    expect(up.status).toBe(201);
    const res = await admin.get(`/api/v1/people/${p.id}/export`);
    expect(res.status).toBe(200);
    expect(res.body.modules.activities).toEqual([
      expect.objectContaining({
        id: act.body.id,
        kind: 'call',
        body: '折り返し希望',
        details: { direction: 'in' },
        attachments: [{ filename: 'memo.txt', size: 1, contentType: 'text/plain' }],
      }),
    ]);
  });
});
