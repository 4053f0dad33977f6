import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  anonymous,
  createTestWorkspace,
  PASSWORD,
  signIn,
  startTestServer,
  type TestClient,
  tokenClient,
  uniqueEmail,
} from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';

let server: RunningServer;
let admin: TestClient;
let ws: Awaited<ReturnType<typeof createTestWorkspace>>;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createTestWorkspace(server);
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
});

describe('sign-in', () => {
  it('answers a wrong password and an unknown address the same way, in the caller language', async () => {
    const wrong = await anonymous(server, 'en').post('/api/v1/auth/login', { email: ws.adminEmail, password: 'nope-nope-nope' });
    const unknown = await anonymous(server, 'en').post('/api/v1/auth/login', { email: uniqueEmail(), password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.message).toBe('The email address or password is incorrect.');
    const ja = await anonymous(server, 'ja').post('/api/v1/auth/login', { email: ws.adminEmail, password: 'nope-nope-nope' });
    expect(ja.body.error.message).toBe('メールアドレスまたはパスワードが正しくありません。');
  });

  it('backs off an address tried wrongly from one source, whether or not it has an account (see security.int.test.ts)', async () => {
    const real = await createTestWorkspace(server);
    const ghost = uniqueEmail('ghost');
    for (const email of [real.adminEmail, ghost]) {
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await anonymous(server).post('/api/v1/auth/login', { email, password: 'wrong-password' });
        codes.push(res.body.error.code);
      }
      expect(codes.slice(0, 4)).toEqual(Array(4).fill('invalid_credentials'));
      expect(codes.slice(4)).toEqual(['too_many_attempts', 'too_many_attempts']);
    }
    const locked = await anonymous(server).post('/api/v1/auth/login', { email: real.adminEmail, password: PASSWORD });
    expect(locked.status).toBe(429);
  });

  it('sets an HttpOnly SameSite cookie, and a persistent one only with remember me', async () => {
    const plain = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.adminEmail, password: PASSWORD },
    });
    const c1 = plain.cookies[0] as { httpOnly?: boolean; sameSite?: string; expires?: Date };
    expect(c1.httpOnly).toBe(true);
    expect(c1.sameSite).toBe('Lax');
    expect(c1.expires).toBeUndefined();
    const remembered = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.adminEmail, password: PASSWORD, remember: true },
    });
    const c2 = remembered.cookies[0] as { expires?: Date };
    expect(c2.expires!.getTime()).toBeGreaterThan(Date.now() + 7 * 86_400_000);
  });

  it('refuses a cookie-authenticated write without the CSRF token', async () => {
    const res = await admin.request('PATCH', '/api/v1/me', { name: 'x' }, { 'x-csrf-token': 'forged' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_failed');
  });

  it('ends the session on logout', async () => {
    const c = await signIn(server, ws.adminEmail);
    expect((await c.post('/api/v1/auth/logout')).status).toBe(200);
    expect((await c.get('/api/v1/auth/session')).status).toBe(401);
  });
});

describe('password change', () => {
  it('needs the current password and signs out other sessions', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const b = await signIn(server, w.adminEmail);
    const bad = await a.post('/api/v1/me/password', { currentPassword: 'wrong', newPassword: 'a new long password' });
    expect(bad.body.error.code).toBe('wrong_password');
    const short = await a.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details.issues[0].path).toBe('newPassword');
    expect((await a.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'a new long password' })).status).toBe(200);
    expect((await a.get('/api/v1/auth/session')).status).toBe(200);
    expect((await b.get('/api/v1/auth/session')).status).toBe(401);
    await expect(signIn(server, w.adminEmail, 'a new long password')).resolves.toBeTruthy();
  });
});

describe('invitations and roles', () => {
  it('lets an invited member sign in with the invited role, once', async () => {
    const email = uniqueEmail('inv');
    const inv = await admin.post('/api/v1/invitations', { email, role: 'member' });
    expect(inv.status).toBe(201);
    const token = String(inv.body.url).split('/invite/')[1];
    const info = await anonymous(server).get(`/api/v1/invitations/by-token/${token}`);
    expect(info.body).toMatchObject({ email, role: 'member', workspaceName: 'テスト株式会社' });
    const accepted = await anonymous(server).post('/api/v1/invitations/accept', { token, name: '佐藤 一郎', password: PASSWORD });
    expect(accepted.status).toBe(201);
    const again = await anonymous(server).post('/api/v1/invitations/accept', { token, name: '佐藤 二郎', password: PASSWORD });
    expect(again.body.error.code).toBe('invitation_invalid');
    const member = await signIn(server, email);
    const me = await member.get('/api/v1/auth/session');
    expect(me.body.user).toMatchObject({ email, role: 'member', name: '佐藤 一郎' });
  });

  it('keeps administration routes from non-admins', async () => {
    const { client: member } = await addUser(server, admin, 'member');
    const { client: readonly } = await addUser(server, admin, 'readonly');
    expect((await member.get('/api/v1/audit')).status).toBe(403);
    expect((await member.post('/api/v1/invitations', { email: uniqueEmail(), role: 'admin' })).status).toBe(403);
    expect((await readonly.post('/api/v1/teams', { name: 'x' })).status).toBe(403);
    expect((await readonly.get('/api/v1/users')).status).toBe(200);
  });

  it('refuses to demote the last administrator', async () => {
    const w = await createTestWorkspace(server);
    const a = await signIn(server, w.adminEmail);
    const me = await a.get(`/api/v1/users/${w.adminId}`);
    const res = await a.patch(`/api/v1/users/${w.adminId}`, { version: me.body.version, role: 'member' });
    expect(res.body.error.code).toBe('last_admin');
  });

  it('refuses a stale update with 409 and the current record', async () => {
    const { userId } = await addUser(server, admin, 'member');
    const u = await admin.get(`/api/v1/users/${userId}`);
    expect((await admin.patch(`/api/v1/users/${userId}`, { version: u.body.version, name: '新しい名前' })).status).toBe(200);
    const stale = await admin.patch(`/api/v1/users/${userId}`, { version: u.body.version, name: '古い版' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.name).toBe('新しい名前');
  });

  it('disabling a user ends their access at once', async () => {
    const { client, userId } = await addUser(server, admin, 'member');
    const u = await admin.get(`/api/v1/users/${userId}`);
    await admin.patch(`/api/v1/users/${userId}`, { version: u.body.version, status: 'disabled' });
    expect((await client.get('/api/v1/auth/session')).status).toBe(401);
  });
});

describe('record visibility per role', () => {
  it('restricts the roles the workspace names, never an administrator', async () => {
    const own = await createTestWorkspace(server);
    const ownAdmin = await signIn(server, own.adminEmail);
    const w = (await ownAdmin.get('/api/v1/workspace')).body;
    const set = await ownAdmin.patch('/api/v1/workspace', { version: w.version, visibility: { admin: 'own', member: 'own' } });
    expect(set.status).toBe(200);
    const { client: member } = await addUser(server, ownAdmin, 'member');
    const mine = await member.post('/api/v1/people', { familyName: '自分' });
    const theirs = await ownAdmin.post('/api/v1/people', { familyName: '管理者の' });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect((await member.get(`/api/v1/people/${theirs.body.id}`)).status, 'a member with own visibility').toBe(404);
    expect((await ownAdmin.get(`/api/v1/people/${mine.body.id}`)).status, 'an administrator sees all whatever the setting').toBe(200);
  });
});

describe('teams', () => {
  it('creates a team with members and rejects unknown members', async () => {
    const { userId } = await addUser(server, admin, 'member');
    const team = await admin.post('/api/v1/teams', { name: '東京営業部', memberIds: [userId] });
    expect(team.status).toBe(201);
    expect(team.body.memberIds).toEqual([userId]);
    const bad = await admin.post('/api/v1/teams', { name: '大阪営業部', memberIds: ['01890000-0000-7000-8000-000000000000'] });
    expect(bad.status).toBe(400);
    const u = await admin.get(`/api/v1/users/${userId}`);
    expect(u.body.teamIds).toEqual([team.body.id]);
  });
});

describe('API tokens', () => {
  it('authenticates with a token shown once, honours scopes, and stops after revocation', async () => {
    const created = await admin.post('/api/v1/tokens', { name: '会計連携', scopes: ['read'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^crm_/);
    const list = await admin.get('/api/v1/tokens');
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    const api = tokenClient(server, created.body.token);
    expect((await api.get('/api/v1/users')).status).toBe(200);
    const write = await api.patch('/api/v1/me', { name: 'x' });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('insufficient_scope');
    expect((await admin.delete(`/api/v1/tokens/${created.body.apiToken.id}`)).status).toBe(200);
    expect((await api.get('/api/v1/users')).status).toBe(401);
  });

  it('rejects a made-up token', async () => {
    expect((await tokenClient(server, 'crm_madeup').get('/api/v1/users')).status).toBe(401);
  });
});

describe('workspace isolation', () => {
  it('never shows or changes another workspace’s users, teams, tokens or invitations', async () => {
    const other = await createTestWorkspace(server, { name: '他社' });
    const otherAdmin = await signIn(server, other.adminEmail);
    const team = await otherAdmin.post('/api/v1/teams', { name: '秘密チーム' });
    const inv = await otherAdmin.post('/api/v1/invitations', { email: uniqueEmail(), role: 'member' });
    const tok = await otherAdmin.post('/api/v1/tokens', { name: 't', scopes: ['read'] });
    expect((await admin.get(`/api/v1/users/${other.adminId}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/users/${other.adminId}`, { version: 1, name: 'hacked' })).status).toBe(404);
    expect((await admin.patch(`/api/v1/teams/${team.body.id}`, { version: 1, name: 'hacked' })).status).toBe(404);
    expect((await admin.delete(`/api/v1/teams/${team.body.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/v1/invitations/${inv.body.invitation.id}`)).status).toBe(404);
    expect((await admin.delete(`/api/v1/tokens/${tok.body.apiToken.id}`)).status).toBe(404);
    const users = await admin.get('/api/v1/users');
    expect(users.body.data.map((u: { id: string }) => u.id)).not.toContain(other.adminId);
    const audit = await admin.get('/api/v1/audit?limit=200');
    expect(audit.body.data.some((e: { entityId: string }) => e.entityId === other.adminId)).toBe(false);
    expect((await otherAdmin.get('/api/v1/teams')).body.data).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('answers malformed JSON, wrong types, bad ids and oversize bodies with 4xx and no change', async () => {
    const raw = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(raw.statusCode).toBe(400);
    expect(raw.json().error.code).toBe('bad_request');
    expect((await admin.get('/api/v1/users/not-a-uuid')).status).toBe(400);
    expect((await admin.post('/api/v1/teams', { name: 123 })).status).toBe(400);
    const big = await admin.post('/api/v1/teams', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    const form = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a&password=b',
    });
    expect(form.statusCode).toBe(415);
    const setupAgain = await anonymous(server).post('/api/v1/setup', {
      workspaceName: 'x',
      adminName: 'x',
      adminEmail: uniqueEmail(),
      password: PASSWORD,
    });
    expect(setupAgain.status).toBe(409);
  });
});

describe('audit', () => {
  it('records who changed what with before and after, and never a password hash', async () => {
    const { userId } = await addUser(server, admin, 'member', '高橋 健');
    const u = await admin.get(`/api/v1/users/${userId}`);
    await admin.patch(`/api/v1/users/${userId}`, { version: u.body.version, role: 'manager' });
    const res = await admin.get(`/api/v1/audit?entityId=${userId}&action=user.updated`);
    expect(res.status).toBe(200);
    const [entry] = res.body.data;
    expect(entry.before.role).toBe('member');
    expect(entry.after.role).toBe('manager');
    expect(entry.actorId).toBe(ws.adminId);
    const all = await admin.get('/api/v1/audit?limit=200');
    expect(JSON.stringify(all.body)).not.toContain('$argon2');
  });

  it('pages through entries with a cursor', async () => {
    const first = await admin.get('/api/v1/audit?limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await admin.get(`/api/v1/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect((await admin.get('/api/v1/audit?cursor=garbage')).status).toBe(400);
  });
});
