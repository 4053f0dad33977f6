import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answers, type SniListener, startSniListener } from '../../../test/fakes/tls-rebinding.js';
import { openSmtpTransport, smtpFailure } from './mail.js';
import { NetGuardError } from './net-guard.js';

// DNS stands in: the first answer for smtp.example.jp is loopback, any later one would be elsewhere (rebinding).
vi.mock('node:dns/promises', async () => (await import('../../../test/fakes/tls-rebinding.js')).rebindingDns('smtp.example.jp'));

let listener: SniListener;
let port: number;
let seen: SniListener['seen'];
beforeAll(async () => {
  listener = await startSniListener();
  ({ port, seen } = listener);
});
afterAll(() => listener.close());

describe('openSmtpTransport', () => {
  it('resolves the name once, connects to the checked address and asks TLS for the host name', async () => {
    const transport = await openSmtpTransport({ host: 'SMTP.example.jp.', port, security: 'tls' }, ['127.0.0.1']);
    const err = await transport.sendMail({ from: 'a@example.jp', to: 'b@example.jp', text: 'x' }).catch((e: unknown) => e);
    transport.close();
    expect(answers).toEqual(['smtp.example.jp']);
    expect(seen).toEqual([
      { servername: false, address: '127.0.0.1' },
      { servername: 'smtp.example.jp', address: undefined },
    ]);
    expect(err).toBeInstanceOf(Error); // the listener has no certificate: the handshake is cut off
  });

  it('refuses an internal host before any connection', async () => {
    const before = seen.length;
    await expect(openSmtpTransport({ host: '127.0.0.1', port, security: 'tls' }, [])).rejects.toBeInstanceOf(NetGuardError);
    expect(seen).toHaveLength(before);
  });
});

describe('smtpFailure', () => {
  it('keeps a fixed kind and the reply code, never the server text', () => {
    const cases: [object, ReturnType<typeof smtpFailure>][] = [
      [
        { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad credentials' },
        { kind: 'auth_failed', smtpCode: 535 },
      ],
      [{ code: 'ETIMEDOUT' }, { kind: 'timeout', smtpCode: null }],
      [
        { code: 'ESOCKET', originalCode: 'ECONNREFUSED' },
        { kind: 'connection_failed', smtpCode: null },
      ],
      [
        { code: 'ECONNECTION', originalCode: 'ECONNRESET' },
        { kind: 'connection_failed', smtpCode: null },
      ],
      [
        { code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' },
        { kind: 'tls_failed', smtpCode: null },
      ],
      [{ code: 'ETLS' }, { kind: 'tls_failed', smtpCode: null }],
      [
        { code: 'EENVELOPE', responseCode: 550, response: '550 no such user' },
        { kind: 'rejected', smtpCode: 550 },
      ],
      [
        { code: 'EMESSAGE', responseCode: 451 },
        { kind: 'rejected', smtpCode: 451 },
      ],
      [
        { code: 'EPROTOCOL', response: 'SSH-2.0-OpenSSH_9.6' },
        { kind: 'protocol', smtpCode: null },
      ],
      [
        { code: 'EPROTOCOL', responseCode: 9999 },
        { kind: 'protocol', smtpCode: null },
      ],
      [new Error('anything'), { kind: 'connection_failed', smtpCode: null }],
    ];
    for (const [err, expected] of cases) expect(smtpFailure(err), JSON.stringify(err)).toEqual(expected);
  });
});
