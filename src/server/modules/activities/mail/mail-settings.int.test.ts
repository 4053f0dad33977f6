import { describe, expect, it } from 'vitest';
import { addUser, createTestWorkspace, signIn, startTestServer } from '../../../../../test/helpers.js';
import { configureSmtp, INBOUND_DOMAIN, mailHarness, q } from './mail.test-support.js';

const h = mailHarness();

describe('mail settings', () => {
  it('encrypts the SMTP password at rest, never returns it, and shows the inbound address', async () => {
    const before = await h.admin.get('/api/v1/mail/settings');
    expect(before.status).toBe(200);
    expect(before.body.smtp).toMatchObject({ configured: false, hasPassword: false });
    expect(before.body.inbound.receiverRunning).toBe(true);
    expect(before.body.inbound.address).toMatch(/^[a-z0-9]{20}@in\.crm-test\.example$/);
    expect(before.body.inbound.address).toBe(`${before.body.inbound.token}@${INBOUND_DOMAIN}`);
    const saved = await configureSmtp(h);
    expect(saved.smtp).toMatchObject({ configured: true, hasPassword: true, fromAddress: 'sales@example.jp', security: 'none' });
    expect(JSON.stringify(saved)).not.toContain('s3cret-pass');
    const [row] = await q(h, 'SELECT smtp_password_enc, inbound_token FROM mail_settings WHERE workspace_id = $1', [h.workspaceId]);
    expect(row.smtp_password_enc).toMatch(/^v1\./);
    expect(row.smtp_password_enc).not.toContain('s3cret');
    expect(h.inboundAddress.split('@')[0]).toBe(row.inbound_token);
    const audit = await q(h, `SELECT after::text AS after FROM audit_log WHERE workspace_id = $1 AND action = 'mail_settings.updated'`, [
      h.workspaceId,
    ]);
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.map((a) => a.after).join()).not.toContain('s3cret');
  });

  it('sends a test message with the stored credentials; a stale version is 409 with the current settings', async () => {
    h.outbox = [];
    const res = await h.admin.post('/api/v1/mail/settings/test', { to: 'admin@example.test' });
    expect(res.status).toBe(200);
    expect(h.outbox).toHaveLength(1);
    expect(h.outbox[0]!.auth).toMatchObject({ username: 'crm-user', password: 's3cret-pass' });
    const stale = await h.admin.patch('/api/v1/mail/settings', { version: 1, smtp: { fromName: 'x' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.smtp.fromName).toBe('テスト株式会社 営業部');
  });

  it('rejects bad settings with 400 and changes nothing; members may not read them', async () => {
    const current = await h.admin.get('/api/v1/mail/settings');
    const bad = await h.admin.patch('/api/v1/mail/settings', {
      version: current.body.version,
      smtp: { port: 70000, fromAddress: 'not an address' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const after = await h.admin.get('/api/v1/mail/settings');
    expect(after.body.version).toBe(current.body.version);
    const member = await addUser(h.server, h.admin, 'member');
    expect((await member.client.get('/api/v1/mail/settings')).status).toBe(403);
    expect((await member.client.post('/api/v1/mail/settings/test', { to: 'a@example.test' })).status).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('documents the mail routes with their schemas', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    for (const p of [
      '/api/v1/emails',
      '/api/v1/emails/{id}/thread',
      '/api/v1/mail/settings',
      '/api/v1/mail/templates',
      '/api/v1/mail/review/{id}/link',
    ]) {
      expect(doc.paths[p]).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/v1/mail/settings'].patch.requestBody)).toContain('regenerateInboundToken');
  });
});

describe('the inbound address without an inbound mail domain', () => {
  it('is null rather than built from the HTTP host (…@127.0.0.1): the screen asks for MAIL_INBOUND_DOMAIN', async () => {
    const server = await startTestServer({ config: { mailInbound: { host: '127.0.0.1', maxBytes: 300_000, domain: null } } });
    try {
      const admin = await signIn(server, (await createTestWorkspace(server)).adminEmail);
      const settings = await admin.get('/api/v1/mail/settings');
      expect(settings.status).toBe(200);
      expect(settings.body.inbound.address).toBeNull();
      expect(settings.body.inbound.token).toMatch(/^[a-z0-9]{20}$/);
    } finally {
      await server.stop();
    }
  });
});
