import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.js';

describe('configuration', () => {
  it('has defaults that run the embedded database on localhost:3000', () => {
    const c = loadConfig({}, '/srv/crm');
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: path.resolve('/srv/crm/data'), publicUrl: 'http://127.0.0.1:3000' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.secureCookies).toBe(false);
  });

  it('names every bad value in one readable error', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'not a url' }, '/srv');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('DATABASE_URL');
      expect(msg).toContain('PUBLIC_URL');
    }
  });

  it('treats empty variables as unset and turns on secure cookies behind https', () => {
    const c = loadConfig({ DATABASE_URL: '', PUBLIC_URL: 'https://crm.example.jp/' }, '/srv');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('https://crm.example.jp');
    expect(c.secureCookies).toBe(true);
  });

  it('masks the database password when printed', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://crm:s3cret@db.internal:5432/crm' }, '/srv');
    expect(JSON.stringify(describeConfig(c))).not.toContain('s3cret');
  });
});
