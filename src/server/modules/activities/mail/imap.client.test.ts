import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answers, type SniListener, startSniListener } from '../../../../../test/fakes/tls-rebinding.js';
import { classifyImapError, ImapFailure, withMailbox } from './imap.client.js';

// DNS stands in: the first answer for imap.example.jp is loopback, any later one would be elsewhere (rebinding).
vi.mock('node:dns/promises', async () => (await import('../../../../../test/fakes/tls-rebinding.js')).rebindingDns('imap.example.jp'));

let listener: SniListener;
let port: number;
let seen: SniListener['seen'];
beforeAll(async () => {
  listener = await startSniListener();
  ({ port, seen } = listener);
});
afterAll(() => listener.close());

const account = (host: string, allowPrivateHosts: string[]) => ({
  host,
  port,
  tls: true,
  user: 'u',
  password: 'p',
  mailbox: 'INBOX',
  allowPrivateHosts,
});

describe('withMailbox', () => {
  it('resolves the name once, connects to the checked address and asks TLS for the host name', async () => {
    const err = await withMailbox(account('imap.example.jp', ['127.0.0.1']), async () => 'opened').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImapFailure);
    expect(answers).toEqual(['imap.example.jp']);
    expect(seen).toEqual([
      { servername: false, address: '127.0.0.1' },
      { servername: 'imap.example.jp', address: undefined },
    ]);
  });

  it('refuses an internal host before any connection', async () => {
    const before = seen.length;
    const err = await withMailbox(account('127.0.0.1', []), async () => 'opened').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'host_not_allowed', detail: null });
    expect(seen).toHaveLength(before);
  });
});

describe('classifyImapError', () => {
  it('keeps an error code as the detail, never what the server said', () => {
    const banner = Object.assign(new Error('Unexpected greeting: SSH-2.0-OpenSSH_9.6'), {
      responseText: 'SSH-2.0-OpenSSH_9.6 secret-internal-banner',
    });
    expect(classifyImapError(banner, 'connect')).toMatchObject({ kind: 'connection_failed', detail: null });
    const login = Object.assign(new Error('Authentication failed'), {
      authenticationFailed: true,
      responseText: '[AUTHENTICATIONFAILED] user p4ssw0rd unknown',
    });
    expect(classifyImapError(login, 'connect')).toMatchObject({ kind: 'auth_failed', detail: null });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:143'), { code: 'ECONNREFUSED' });
    expect(classifyImapError(refused, 'connect')).toMatchObject({ kind: 'connection_failed', detail: 'ECONNREFUSED' });
    const odd = Object.assign(new Error('x'), { code: 'SSH-2.0-OpenSSH_9.6 banner' });
    expect(classifyImapError(odd, 'connect').detail).toBeNull();
  });
});
