import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  anonymous,
  createTestWorkspace,
  PASSWORD,
  signIn,
  startTestServer,
  type TestClient,
  uniqueEmail,
} from '../../../../test/helpers.js';
import type { RunningServer } from '../../server.js';
import { accountsDb } from '../accounts/accounts.db.js';
import { sweepSignInState } from './security.repository.js';
import { signInRules } from './sign-in-throttle.js';
import { currentTotp } from './totp.js';

let server: RunningServer;
let admin: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  const ws = await createTestWorkspace(server);
  admin = await signIn(server, ws.adminEmail);
});
afterAll(async () => {
  await server?.stop();
});

interface Attempt {
  ip?: string;
  xff?: string;
  device?: string;
  remember?: boolean;
  locale?: string;
}

/** A sign-in as a browser at `ip` would make it, with its known-device cookie if it has one. */
async function login(s: RunningServer, email: string, password: string, a: Attempt = {}) {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: a.ip ?? '198.51.100.1',
    headers: {
      'accept-language': a.locale ?? 'en',
      ...(a.xff ? { 'x-forwarded-for': a.xff } : {}),
      ...(a.device ? { cookie: `crm_device=${a.device}` } : {}),
    },
    payload: { email, password, remember: a.remember ?? false },
  });
  const cookie = (name: string) => res.cookies.find((c) => c.name === name)?.value;
  return { status: res.statusCode, body: res.json(), session: cookie('crm_session'), device: cookie('crm_device') };
}

async function clientFromSession(s: RunningServer, session: string): Promise<TestClient> {
  const cookie = `crm_session=${session}`;
  const me = await s.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
  const csrf = me.json().csrfToken as string;
  const request: TestClient['request'] = async (method, url, body, headers = {}) => {
    const res = await s.app.inject({
      method: method as 'GET',
      url,
      headers: { cookie, 'x-csrf-token': csrf, 'accept-language': 'en', ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };
  return {
    csrf,
    cookie,
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body ?? {}),
    delete: (url) => request('DELETE', url),
  };
}

async function auditActions(entityId: string): Promise<string[]> {
  const res = await admin.get(`/api/v1/audit?entityId=${entityId}&limit=200`);
  return res.body.data.map((e: { action: string }) => e.action);
}

describe('sign-in throttling', () => {
  it('an attacker guessing from one address locks only that address: the real user elsewhere signs in', async () => {
    const { email } = await addUser(server, admin, 'member');
    const codes: number[] = [];
    for (let i = 0; i < signInRules.accountSource.free + 2; i++)
      codes.push((await login(server, email, 'wrong password guess', { ip: '203.0.113.10' })).status);
    expect(codes.slice(0, signInRules.accountSource.free - 1).every((c) => c === 401)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    expect((await login(server, email, PASSWORD, { ip: '203.0.113.10' })).status).toBe(429);
    expect((await login(server, email, PASSWORD, { ip: '192.0.2.20' })).status).toBe(200);
  });

  it('guessing from many addresses locks unknown devices out of the account, never the user’s known browser; an admin unlocks', async () => {
    const { email, userId } = await addUser(server, admin, 'member');
    const first = await login(server, email, PASSWORD, { ip: '192.0.2.30' });
    expect(first.status).toBe(200);
    expect(first.device).toBeTruthy();
    // A botnet: each address stays under its own limits; together they pass the account's bar.
    for (let i = 0; i < signInRules.account.free; i++) {
      const r = await login(server, email, `guess number ${i}`, { ip: `203.0.113.${100 + Math.floor(i / 3)}` });
      expect(r.status, `attempt ${i}`).toBe(i < signInRules.account.free - 1 ? 401 : 429);
    }
    expect((await login(server, email, PASSWORD, { ip: '192.0.2.31' })).status).toBe(429);
    const users = await admin.get('/api/v1/users');
    expect(users.body.data.find((u: { id: string }) => u.id === userId).lockedUntil).toBeTruthy();
    // The real user's own browser, even from a new address, still gets in with the right password.
    const known = await login(server, email, PASSWORD, { ip: '192.0.2.32', device: first.device });
    expect(known.status).toBe(200);
    expect(known.device).toBeUndefined();
    // A made-up device cookie is no known device.
    expect((await login(server, email, PASSWORD, { ip: '192.0.2.33', device: 'made-up-device-cookie' })).status).toBe(429);

    const member = await addUser(server, admin, 'member');
    expect((await member.client.post(`/api/v1/users/${userId}/unlock`)).status).toBe(403);
    expect((await admin.post(`/api/v1/users/${userId}/unlock`)).status).toBe(200);
    expect((await login(server, email, PASSWORD, { ip: '192.0.2.31' })).status).toBe(200);
    expect(await auditActions(userId)).toContain('user.unlocked');
  });

  it('counts failures per source address across accounts; a rotating X-Forwarded-For does not help without TRUST_PROXY', async () => {
    const codes: number[] = [];
    for (let i = 0; i <= signInRules.source.free; i++) {
      const r = await login(server, uniqueEmail('spray'), 'wrong password guess', { ip: '203.0.113.50', xff: `10.9.${i}.1` });
      codes.push(r.status);
    }
    expect(codes.slice(0, signInRules.source.free - 1).every((c) => c === 401)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });
});

describe('TRUST_PROXY', () => {
  let proxied: RunningServer;
  beforeAll(async () => {
    proxied = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
  });
  afterAll(async () => {
    await proxied?.stop();
  });

  it('takes the client address from X-Forwarded-For only when the connection comes from a configured proxy', async () => {
    const ws = await createTestWorkspace(proxied);
    for (let i = 0; i < signInRules.accountSource.free; i++) {
      await login(proxied, ws.adminEmail, 'wrong password guess', { ip: '127.0.0.1', xff: '203.0.113.77' });
    }
    expect((await login(proxied, ws.adminEmail, PASSWORD, { ip: '127.0.0.1', xff: '203.0.113.77' })).status).toBe(429);
    // Another client behind the same proxy is another source.
    expect((await login(proxied, ws.adminEmail, PASSWORD, { ip: '127.0.0.1', xff: '192.0.2.78' })).status).toBe(200);
    // A direct connection from elsewhere cannot claim an address.
    for (let i = 0; i < signInRules.accountSource.free; i++) {
      await login(proxied, ws.adminEmail, 'wrong password guess', { ip: '198.51.100.9', xff: `192.0.2.${i}` });
    }
    expect((await login(proxied, ws.adminEmail, PASSWORD, { ip: '198.51.100.9', xff: '192.0.2.200' })).status).toBe(429);
  });
});

/** Sign in through both steps with a code from the app. */
async function signInWithCode(email: string, secret: string, at = Date.now()) {
  const step1 = await login(server, email, PASSWORD);
  expect(step1.body).toMatchObject({ status: 'totp_required' });
  expect(step1.session).toBeUndefined();
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login/totp',
    headers: { 'accept-language': 'en' },
    payload: { challenge: step1.body.challenge, code: currentTotp(secret, at) },
  });
  return { status: res.statusCode, body: res.json(), session: res.cookies.find((c) => c.name === 'crm_session')?.value };
}

async function enrol(client: TestClient) {
  const setup = await client.post('/api/v1/me/2fa/setup');
  expect(setup.status).toBe(200);
  expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\//);
  expect(setup.body.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
  const secret = setup.body.secret as string;
  const enabled = await client.post('/api/v1/me/2fa/enable', { code: currentTotp(secret) });
  expect(enabled.status).toBe(200);
  return { secret, recoveryCodes: enabled.body.recoveryCodes as string[] };
}

describe('two-factor sign-in (TOTP)', () => {
  it('enrols with a confirmed code, then asks for a code after the password and refuses a replayed code', async () => {
    const { client, email, userId } = await addUser(server, admin, 'member');
    const setup = await client.post('/api/v1/me/2fa/setup');
    expect((await client.post('/api/v1/me/2fa/enable', { code: '000000' })).body.error.code).toBe('otp_invalid');
    expect((await client.get('/api/v1/me/security')).body.twoFactorEnabled).toBe(false);
    const enabled = await client.post('/api/v1/me/2fa/enable', { code: currentTotp(setup.body.secret) });
    expect(enabled.body.recoveryCodes).toHaveLength(10);
    expect(new Set(enabled.body.recoveryCodes).size).toBe(10);
    expect((await client.get('/api/v1/me/security')).body).toMatchObject({ twoFactorEnabled: true, recoveryCodesLeft: 10 });
    const secret = setup.body.secret as string;

    const wrong = await login(server, email, PASSWORD);
    const bad = await anonymous(server, 'ja').post('/api/v1/auth/login/totp', { challenge: wrong.body.challenge, code: '123456' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toBe('確認コードが正しくないか、すでに使われています。認証アプリの新しいコードを入力してください。');
    // The enrolment used this step's code; the next step's (within the allowed drift) signs in once.
    const next = Date.now() + 30_000;
    const ok = await signInWithCode(email, secret, next);
    expect(ok.status).toBe(200);
    expect(ok.session).toBeTruthy();
    const replay = await signInWithCode(email, secret, next);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('otp_invalid');
    const actions = await auditActions(userId);
    expect(actions).toContain('user.two_factor_enabled');
    expect(JSON.stringify((await admin.get(`/api/v1/audit?entityId=${userId}`)).body)).not.toContain(secret);
  });

  it('accepts each recovery code once, and a challenge cannot be reused or guessed at forever', async () => {
    const { client, email } = await addUser(server, admin, 'member');
    const { recoveryCodes } = await enrol(client);
    const step1 = await login(server, email, PASSWORD);
    const used = await anonymous(server).post('/api/v1/auth/login/totp', {
      challenge: step1.body.challenge,
      recoveryCode: recoveryCodes[0]?.toUpperCase(),
    });
    expect(used.status).toBe(200);
    const again = await anonymous(server).post('/api/v1/auth/login/totp', {
      challenge: step1.body.challenge,
      recoveryCode: recoveryCodes[1],
    });
    expect(again.body.error.code).toBe('sign_in_expired');
    const step2 = await login(server, email, PASSWORD);
    const reused = await anonymous(server).post('/api/v1/auth/login/totp', {
      challenge: step2.body.challenge,
      recoveryCode: recoveryCodes[0],
    });
    expect(reused.body.error.code).toBe('otp_invalid');
    expect((await client.get('/api/v1/me/security')).body.recoveryCodesLeft).toBe(9);
  });

  it('locks code entry after repeated wrong codes, even with the right code next', async () => {
    const { client, email } = await addUser(server, admin, 'member');
    const { secret } = await enrol(client);
    const results: string[] = [];
    for (let i = 0; i < signInRules.code.free; i++) {
      const step1 = await login(server, email, PASSWORD);
      const r = await anonymous(server).post('/api/v1/auth/login/totp', { challenge: step1.body.challenge, code: '000001' });
      results.push(r.body.error.code);
    }
    expect(results.at(-1)).toBe('too_many_attempts');
    expect((await signInWithCode(email, secret, Date.now() + 30_000)).status).toBe(429);
  });

  it('turns off only with the password and a second factor', async () => {
    const { client, userId } = await addUser(server, admin, 'member');
    const { recoveryCodes } = await enrol(client);
    const noPassword = await client.post('/api/v1/me/2fa/disable', { password: 'not my password', recoveryCode: recoveryCodes[0] });
    expect(noPassword.body.error.code).toBe('wrong_password');
    const noCode = await client.post('/api/v1/me/2fa/disable', { password: PASSWORD, code: '000000' });
    expect(noCode.body.error.code).toBe('otp_invalid');
    expect((await client.post('/api/v1/me/2fa/disable', { password: PASSWORD, recoveryCode: recoveryCodes[1] })).status).toBe(200);
    expect((await client.get('/api/v1/me/security')).body).toMatchObject({ twoFactorEnabled: false, recoveryCodesLeft: 0 });
    expect(await auditActions(userId)).toContain('user.two_factor_disabled');
  });

  it('an administrator resets a user’s two-step verification (phone and codes lost): signed out, then a password signs in', async () => {
    const { client, email, userId } = await addUser(server, admin, 'member');
    await enrol(client);
    expect((await client.post(`/api/v1/users/${userId}/2fa/reset`)).status).toBe(403);
    expect((await admin.post(`/api/v1/users/${userId}/2fa/reset`)).status).toBe(200);
    expect((await client.get('/api/v1/auth/session')).status).toBe(401);
    expect((await login(server, email, PASSWORD)).body.status).toBe('signed_in');
    expect(await auditActions(userId)).toContain('user.two_factor_reset');
  });

  it('with “require two-factor for everyone”, a user without it enrols before getting a session', async () => {
    const w = await createTestWorkspace(server);
    const wAdmin = await signIn(server, w.adminEmail);
    const { email } = await addUser(server, wAdmin, 'member');
    const ws = await wAdmin.get('/api/v1/workspace');
    const member = await addUser(server, wAdmin, 'member');
    expect((await member.client.patch('/api/v1/workspace', { version: ws.body.version, requireTwoFactor: true })).status).toBe(403);
    const set = await wAdmin.patch('/api/v1/workspace', { version: ws.body.version, requireTwoFactor: true });
    expect(set.body.requireTwoFactor).toBe(true);

    const step1 = await login(server, email, PASSWORD);
    expect(step1.body.status).toBe('enrolment_required');
    expect(step1.session).toBeUndefined();
    const setup = await anonymous(server).post('/api/v1/auth/login/enrol', { challenge: step1.body.challenge });
    expect(setup.body.uri).toContain('otpauth://totp/');
    const confirmed = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/enrol/confirm',
      payload: { challenge: step1.body.challenge, code: currentTotp(setup.body.secret) },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().recoveryCodes).toHaveLength(10);
    const session = confirmed.cookies.find((c) => c.name === 'crm_session')?.value as string;
    const me = await clientFromSession(server, session);
    expect((await me.get('/api/v1/me/security')).body).toMatchObject({ twoFactorEnabled: true, twoFactorRequired: true });
    expect((await login(server, email, PASSWORD)).body.status).toBe('totp_required');

    // Someone invited now sets it up before their first session too.
    const inv = await wAdmin.post('/api/v1/invitations', { email: uniqueEmail('inv'), role: 'member' });
    const token = String(inv.body.url).split('/invite/')[1];
    const joined = await server.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: '新人 一郎', password: PASSWORD },
    });
    expect(joined.statusCode).toBe(201);
    expect(joined.json()).toMatchObject({ status: 'enrolment_required' });
    expect(joined.cookies.find((c) => c.name === 'crm_session')).toBeUndefined();
    expect((await anonymous(server).post('/api/v1/auth/login/enrol', { challenge: joined.json().challenge })).status).toBe(200);
  });
});

describe('sessions', () => {
  it('lists the user’s sessions with the current one marked, and revokes another', async () => {
    const { email } = await addUser(server, admin, 'member');
    const a = await login(server, email, PASSWORD, { ip: '192.0.2.61' });
    const b = await login(server, email, PASSWORD, { ip: '192.0.2.62' });
    const ca = await clientFromSession(server, a.session as string);
    const cb = await clientFromSession(server, b.session as string);
    const list = await ca.get('/api/v1/me/sessions');
    const mine = list.body.data.filter((s: { ip: string }) => s.ip === '192.0.2.61' || s.ip === '192.0.2.62');
    expect(mine).toHaveLength(2);
    expect(list.body.data.filter((s: { current: boolean }) => s.current).map((s: { ip: string }) => s.ip)).toEqual(['192.0.2.61']);
    const other = mine.find((s: { ip: string }) => s.ip === '192.0.2.62');
    expect((await ca.delete(`/api/v1/me/sessions/${other.id}`)).status).toBe(200);
    expect((await cb.get('/api/v1/auth/session')).status).toBe(401);
    expect((await ca.get('/api/v1/auth/session')).status).toBe(200);
    // Someone else's session id is not found, not revoked.
    const adminSessions = await admin.get('/api/v1/me/sessions');
    expect((await ca.delete(`/api/v1/me/sessions/${adminSessions.body.data[0].id}`)).status).toBe(404);
  });

  it('an administrator ends all sessions of a user; disabling a user ends them for good', async () => {
    const { client, userId, email } = await addUser(server, admin, 'member');
    const second = await signIn(server, email);
    expect((await client.post(`/api/v1/users/${userId}/sessions/end`)).status).toBe(403);
    expect((await admin.post(`/api/v1/users/${userId}/sessions/end`)).status).toBe(200);
    expect((await client.get('/api/v1/auth/session')).status).toBe(401);
    expect((await second.get('/api/v1/auth/session')).status).toBe(401);
    expect(await auditActions(userId)).toContain('user.sessions_ended');

    const again = await signIn(server, email);
    let u = await admin.get(`/api/v1/users/${userId}`);
    await admin.patch(`/api/v1/users/${userId}`, { version: u.body.version, status: 'disabled' });
    u = await admin.get(`/api/v1/users/${userId}`);
    await admin.patch(`/api/v1/users/${userId}`, { version: u.body.version, status: 'active' });
    // Re-enabling does not bring the old session back.
    expect((await again.get('/api/v1/auth/session')).status).toBe(401);
  });
});

describe('password policy', () => {
  it('refuses common passwords with a clear message in the caller’s language, and short ones', async () => {
    const { client } = await addUser(server, admin, 'member');
    const common = await client.request(
      'POST',
      '/api/v1/me/password',
      { currentPassword: PASSWORD, newPassword: 'Password123' },
      { 'accept-language': 'ja' },
    );
    expect(common.status).toBe(400);
    expect(common.body.error).toMatchObject({ code: 'password_too_common', details: { field: 'newPassword' } });
    expect(common.body.error.message).toContain('よく使われて');
    await client.patch('/api/v1/me', { locale: 'en' }); // a signed-in user's own language wins over the header
    const en = await client.request(
      'POST',
      '/api/v1/me/password',
      { currentPassword: PASSWORD, newPassword: 'qwertyuiop' },
      { 'accept-language': 'en' },
    );
    expect(en.body.error.message).toBe('This password is too common and easy to guess. Please choose another one.');
    const short = await client.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'abc12345' });
    expect(short.body.error.details.issues[0].path).toBe('newPassword');

    const email = uniqueEmail('inv');
    const inv = await admin.post('/api/v1/invitations', { email, role: 'member' });
    const token = String(inv.body.url).split('/invite/')[1];
    const refused = await anonymous(server).post('/api/v1/invitations/accept', { token, name: '佐藤 一郎', password: '1234567890' });
    expect(refused.body.error.code).toBe('password_too_common');
    expect((await anonymous(server).post('/api/v1/invitations/accept', { token, name: '佐藤 一郎', password: PASSWORD })).status).toBe(201);
  });
});

describe('clean-up', () => {
  it('forgets quiet failure counters and expired sign-in challenges, never a lock in force', async () => {
    const { pool } = server.database;
    await pool.query(`INSERT INTO login_throttle (key, failures, window_start, locked_until, updated_at) VALUES
      ('ip:sweep-quiet', 3, now() - interval '3 days', NULL, now() - interval '2 days'),
      ('ip:sweep-locked', 40, now() - interval '3 days', now() + interval '1 hour', now() - interval '2 days'),
      ('ip:sweep-recent', 1, now(), NULL, now())`);
    const { client, email } = await addUser(server, admin, 'member');
    await enrol(client);
    const pending = await login(server, email, PASSWORD);
    await pool.query(`UPDATE login_challenges SET expires_at = now() - interval '1 minute'`);
    await sweepSignInState(accountsDb(server.database.db), 365);
    const keys = (await pool.query(`SELECT key FROM login_throttle WHERE key LIKE 'ip:sweep-%'`)).rows.map((r) => r.key);
    expect(keys.sort()).toEqual(['ip:sweep-locked', 'ip:sweep-recent']);
    expect(Number((await pool.query('SELECT count(*) FROM login_challenges')).rows[0].count)).toBe(0);
    const late = await anonymous(server).post('/api/v1/auth/login/totp', { challenge: pending.body.challenge, code: '123456' });
    expect(late.body.error.code).toBe('sign_in_expired');
  });
});
