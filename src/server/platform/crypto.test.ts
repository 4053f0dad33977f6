import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { decryptSecret, encryptSecret, secretKey } from './crypto.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-crypto-'));
  dirs.push(d);
  return d;
}

describe('secrets at rest', () => {
  it('round-trips a secret, with a fresh IV each time', () => {
    const key = randomBytes(32);
    const a = encryptSecret(key, 'パスワード p@ss');
    const b = encryptSecret(key, 'パスワード p@ss');
    expect(a).not.toBe(b);
    expect(a).not.toContain('p@ss');
    expect(decryptSecret(key, a)).toBe('パスワード p@ss');
  });

  it('refuses a tampered value or another key', () => {
    const key = randomBytes(32);
    const sealed = encryptSecret(key, 'secret');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[3] = data.toString('base64url');
    expect(() => decryptSecret(key, parts.join('.'))).toThrow();
    expect(() => decryptSecret(randomBytes(32), sealed)).toThrow();
    expect(() => decryptSecret(key, 'plain text')).toThrow('not an encrypted secret');
  });

  it('creates the key file once in the data folder with mode 0600 and reuses it', () => {
    const dataDir = path.join(tmpDir(), 'data');
    const key = secretKey({ dataDir });
    const file = path.join(dataDir, 'secret.key');
    expect(key).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(secretKey({ dataDir }).equals(key)).toBe(true);
  });

  it('prefers SECRET_KEY, and the config refuses a key that is not 32 bytes of base64', () => {
    const k = randomBytes(32).toString('base64');
    const config = loadConfig({ SECRET_KEY: k, DATA_DIR: tmpDir() }, '/');
    expect(secretKey(config).toString('base64')).toBe(k);
    expect(fs.existsSync(path.join(config.dataDir, 'secret.key'))).toBe(false);
    expect(() => loadConfig({ SECRET_KEY: 'too-short' }, '/')).toThrow(ConfigError);
  });
});
