import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, signIn, startTestServer, type TestClient } from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import { contactPointsOf, findPeopleByContact, recordNames } from './index.js';

let server: RunningServer;
let admin: TestClient;
let workspaceId: string;
let ws: Awaited<ReturnType<typeof createTestWorkspace>>;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createTestWorkspace(server);
  workspaceId = ws.workspaceId;
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
});

describe('read ports', () => {
  it('finds live people by a normalised email or phone, in a stable order, and not trashed ones', async () => {
    const co = await admin.post('/api/v1/companies', { name: '港商事' });
    const a = await admin.post('/api/v1/people', {
      familyName: '港',
      companyId: co.body.id,
      emails: [{ address: 'Minato@Example.jp' }],
      phones: [{ number: '03-5555-0101' }],
    });
    const b = await admin.post('/api/v1/people', { familyName: '港', phones: [{ number: '03-5555-0101' }], ignoreDuplicates: true });
    const gone = await admin.post('/api/v1/people', { familyName: '港', phones: [{ number: '03-5555-0101' }], ignoreDuplicates: true });
    await admin.delete(`/api/v1/people/${gone.body.id}`);
    const db = server.database.db;

    const byMail = await findPeopleByContact(db, workspaceId, 'email', ['MINATO@example.jp', 'nobody@example.jp']);
    expect(byMail).toEqual([{ value: 'minato@example.jp', personId: a.body.id, companyId: co.body.id, ownerId: ws.adminId, teamId: null }]);
    const byPhone = await findPeopleByContact(db, workspaceId, 'phone', ['+81355550101']);
    expect(byPhone.map((m) => m.personId)).toEqual([a.body.id, b.body.id].sort());
    expect(await findPeopleByContact(db, workspaceId, 'phone', [])).toEqual([]);
    expect(await contactPointsOf(db, workspaceId, { entityType: 'person', entityId: a.body.id }, 'email')).toEqual(['minato@example.jp']);
  });

  it('names people and companies by id, trashed ones flagged, other workspaces’ ids absent', async () => {
    const p = await admin.post('/api/v1/people', { familyName: '名前', givenName: '一郎' });
    const c = await admin.post('/api/v1/companies', { name: '名前株式会社' });
    await admin.delete(`/api/v1/companies/${c.body.id}`);
    const other = await createTestWorkspace(server);
    const theirs = await (await signIn(server, other.adminEmail)).post('/api/v1/people', { familyName: '他社' });
    const names = await recordNames(server.database.db, workspaceId, [
      { entityType: 'person', entityId: p.body.id },
      { entityType: 'company', entityId: c.body.id },
      { entityType: 'person', entityId: theirs.body.id },
    ]);
    expect(names.get(`person:${p.body.id}`)).toMatchObject({ name: '名前 一郎', deleted: false, companyId: null });
    expect(names.get(`company:${c.body.id}`)).toMatchObject({ name: '名前株式会社', deleted: true });
    expect(names.has(`person:${theirs.body.id}`)).toBe(false);
  });
});
