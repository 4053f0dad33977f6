import { describe, expect, it } from 'vitest';
import { sourceOf } from './sign-in-throttle.js';
import { currentTotp, hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, totpUri } from './totp.js';

describe('source addresses for throttling', () => {
  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(sourceOf('203.0.113.9')).toBe('203.0.113.9');
    expect(sourceOf(undefined)).toBe('unknown');
  });
});

describe('TOTP', () => {
  const secret = newTotpSecret();
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 15);

  it('accepts the current code and one step of drift either way, naming the step it belongs to', () => {
    const step = Math.floor(t0 / 30_000);
    expect(matchTotp(secret, currentTotp(secret, t0), t0)).toBe(step);
    expect(matchTotp(secret, currentTotp(secret, t0 - 30_000), t0)).toBe(step - 1);
    expect(matchTotp(secret, currentTotp(secret, t0 + 30_000), t0)).toBe(step + 1);
    expect(matchTotp(secret, currentTotp(secret, t0 - 90_000), t0)).toBeNull();
    expect(matchTotp(newTotpSecret(), currentTotp(secret, t0), t0)).toBeNull();
  });

  it('makes an otpauth URI with the issuer and account', () => {
    const uri = totpUri(secret, 'CRM (テスト株式会社)', 'yamada@example.jp');
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(decodeURIComponent(uri)).toContain('yamada@example.jp');
  });

  it('makes ten distinct recovery codes, matched without case, spaces or hyphens', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const c = codes[0] as string;
    expect(hashRecoveryCode(c.toUpperCase().replace(/-/g, ' '))).toBe(hashRecoveryCode(c));
    expect(hashRecoveryCode(c)).not.toBe(hashRecoveryCode(codes[1] as string));
  });
});
