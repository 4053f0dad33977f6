import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSmtpTransport, smtpFailure } from './mail.js';
import { NetGuardError } from './net-guard.js';

// DNS stands in: the first answer for smtp.example.jp is loopback, any later one would be elsewhere (rebinding).
const answers: string[] = [];
vi.mock('node:dns/promises', () => ({
  default: {
    lookup: vi.fn(async (name: string) => {
      answers.push(name);
      if (name !== 'smtp.example.jp') throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return [{ address: answers.length === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    }),
  },
}));

/** A TLS listener on loopback that notes the name the client asks for (SNI), then ends the handshake. */
let server: tls.Server;
let port: number;
const seen: { servername: string | false; address: string | undefined }[] = [];
beforeAll(async () => {
  server = tls.createServer({
    SNICallback: (servername, callback) => {
      seen.push({ servername, address: undefined });
      callback(new Error('no certificate here'));
    },
  });
  server.on('connection', (socket) => seen.push({ servername: false, address: socket.remoteAddress }));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
