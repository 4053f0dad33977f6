import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface InboundEnvelope {
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string;
}

/** A delivery refused for good (5xx): the sender's server bounces it instead of retrying. */
export class InboundRejection extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a module does with inbound mail; the platform only speaks SMTP. */
export interface InboundHandler {
  /** May this recipient address receive mail? A false answer is `550` at RCPT TO. */
  acceptRecipient(address: string): Promise<boolean>;
  /** Store the message; throw InboundRejection for a permanent refusal, anything else is `451` (try later). */
  deliver(raw: Buffer, envelope: InboundEnvelope): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The built-in SMTP receiver for a BCC / forwarding address: plain SMTP without AUTH (the recipient
 * token is the secret), a hard size limit (552 and nothing stored), the whole message handed to one handler.
 */
export class MailReceiver {
  private server?: SMTPServer;
  private handler?: InboundHandler;
  private boundPort?: number;

  constructor(private readonly options: { host: string; port?: number; maxBytes: number; log: FastifyBaseLogger }) {}

  get enabled(): boolean {
    return this.options.port !== undefined;
  }

  /** The port listened on (the real one when configured as 0), while running. */
  get port(): number | undefined {
    return this.boundPort;
  }

  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    if (!this.enabled || this.server) return;
    const log = this.options.log.child({ module: 'mail-receiver' });
    const server = new SMTPServer({
      name: 'crm',
      banner: 'CRM inbound mail',
      size: this.options.maxBytes,
      // A slow or runaway client cannot hold the receiver: bounded connections, idle sockets closed.
      maxClients: 100,
      socketTimeout: 60_000,
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const handler = this.handler;
        if (!handler) return callback(smtpError(451, 'Inbound mail is not ready, try again later'));
        handler.acceptRecipient(address.address).then(
          (ok) => callback(ok ? undefined : smtpError(550, 'No such recipient')),
          (err) => {
            log.error({ err }, 'recipient check failed');
            callback(smtpError(451, 'Temporary failure, try again later'));
          },
        );
      },
      onData: (stream: SMTPServerDataStream, session, callback) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= this.options.maxBytes) chunks.push(chunk);
        });
        stream.on('end', () => {
          if (stream.sizeExceeded || size > this.options.maxBytes) {
            return callback(smtpError(552, `Message exceeds the maximum size of ${this.options.maxBytes} bytes`));
          }
          const handler = this.handler;
          if (!handler) return callback(smtpError(451, 'Inbound mail is not ready, try again later'));
          const envelope: InboundEnvelope = {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            remoteAddress: session.remoteAddress,
          };
          handler.deliver(Buffer.concat(chunks), envelope).then(
            () => callback(null, 'Stored'),
            (err) => {
              if (err instanceof InboundRejection) return callback(smtpError(err.responseCode, err.message));
              log.error({ err }, 'inbound delivery failed');
              callback(smtpError(451, 'Temporary failure, try again later'));
            },
          );
        });
      },
    });
    server.on('error', (err) => log.warn({ err }, 'smtp receiver error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.server.address() as AddressInfo).port;
    log.info({ host: this.options.host, port: this.boundPort }, 'inbound SMTP listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.boundPort = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
