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

  it('takes the inbound mail domain from MAIL_INBOUND_DOMAIN, else from a PUBLIC_URL whose host is a domain, else none', () => {
    expect(loadConfig({ MAIL_INBOUND_DOMAIN: ' In.CRM.example.jp ' }, '/srv').mailInbound.domain).toBe('in.crm.example.jp');
    expect(loadConfig({ MAIL_INBOUND_DOMAIN: 'in.crm.example.jp', PUBLIC_URL: 'https://app.example.com' }, '/srv').mailInbound.domain).toBe(
      'in.crm.example.jp',
    );
    expect(loadConfig({ PUBLIC_URL: 'https://crm.example.jp:8443/' }, '/srv').mailInbound.domain).toBe('crm.example.jp');
    // an address nobody can mail to is no domain: the default URL, an IP address, localhost
    expect(loadConfig({}, '/srv').mailInbound.domain).toBeNull();
    for (const url of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000', 'http://10.0.0.5']) {
      expect(loadConfig({ PUBLIC_URL: url }, '/srv').mailInbound.domain, url).toBeNull();
    }
    for (const bad of ['127.0.0.1', 'https://crm.example.jp', 'crm.example.jp:25', 'localhost', 'a..b.jp', 'crm_example.jp']) {
      expect(() => loadConfig({ MAIL_INBOUND_DOMAIN: bad }, '/srv'), bad).toThrow(/MAIL_INBOUND_DOMAIN/);
    }
  });

  it('reads the import upload limit in MB (default 512) and refuses a limit that is not a whole positive number', () => {
    expect(loadConfig({}, '/srv').imports.maxBytes).toBe(512 * 1024 * 1024);
    expect(loadConfig({ IMPORT_MAX_MB: '2' }, '/srv').imports.maxBytes).toBe(2 * 1024 * 1024);
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      expect(() => loadConfig({ IMPORT_MAX_MB: bad }, '/srv'), bad).toThrow(/IMPORT_MAX_MB/);
    }
  });

  it('trusts no proxy by default, and a hop count or the named proxies when TRUST_PROXY says so', () => {
    expect(loadConfig({}, '/srv').trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }, '/srv').trustProxy).toBe(false);
    const hops = loadConfig({ TRUST_PROXY: '1' }, '/srv').trustProxy;
    expect(typeof hops === 'function' && [hops('10.0.0.1', 0), hops('10.0.0.2', 1)]).toEqual([true, false]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16,loopback,::1' }, '/srv').trustProxy).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      'loopback',
      '::1',
    ]);
    for (const bad of ['true', 'proxy.example.jp', '10.0.0.0/33', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }, '/srv'), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it('allows no internal mail server by default, and the addresses, ranges and host names MAIL_ALLOW_PRIVATE_HOSTS names', () => {
    expect(loadConfig({}, '/srv').mailAllowPrivateHosts).toEqual([]);
    expect(
      loadConfig({ MAIL_ALLOW_PRIVATE_HOSTS: ' 10.0.0.25, 192.168.0.0/16,fd00::/8, mail.corp.internal ,' }, '/srv').mailAllowPrivateHosts,
    ).toEqual(['10.0.0.25', '192.168.0.0/16', 'fd00::/8', 'mail.corp.internal']);
    for (const bad of ['10.0.0.0/33', '*', 'mail server', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ MAIL_ALLOW_PRIVATE_HOSTS: bad }, '/srv'), bad).toThrow(
        /MAIL_ALLOW_PRIVATE_HOSTS: not an IP address, CIDR range or host name/,
      );
    }
  });

  it('masks the database password when printed', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://crm:s3cret@db.internal:5432/crm' }, '/srv');
    expect(JSON.stringify(describeConfig(c))).not.toContain('s3cret');
  });
});
