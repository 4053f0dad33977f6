import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

/**
 * Stand-ins for a DNS-rebinding attack on a mail host, shared by the SMTP and IMAP connection tests.
 *
 * `rebindingDns(host)` is a `node:dns/promises` module for `vi.mock`: the first answer for `host` is loopback, any
 * later one an address elsewhere (10.9.9.9); other names are unknown. `answers` lists the names asked, in order.
 */
export const answers: string[] = [];

export function rebindingDns(host: string) {
  return {
    default: {
      lookup: async (name: string) => {
        answers.push(name);
        if (name !== host) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        return [{ address: answers.length === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
      },
    },
  };
}

export interface SniListener {
  port: number;
  /** Each connection (its address) and each TLS hello (the name the client asked for), in order. */
  seen: { servername: string | false; address: string | undefined }[];
  close(): Promise<void>;
}

/** A TLS listener on loopback that notes the name the client asks for (SNI), then ends the handshake. */
export async function startSniListener(): Promise<SniListener> {
  const seen: SniListener['seen'] = [];
  const server = tls.createServer({
    SNICallback: (servername, callback) => {
      seen.push({ servername, address: undefined });
      callback(new Error('no certificate here'));
    },
  });
  server.on('connection', (socket) => seen.push({ servername: false, address: socket.remoteAddress }));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
