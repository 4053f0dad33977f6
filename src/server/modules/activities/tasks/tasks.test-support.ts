import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../activities.db.js';
import { ensureSettings, updateSettings } from '../mail/mail.repository.js';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** A real SMTP server in the test process that keeps what it receives (tests only). */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    messages,
    async waitFor(match, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (Date.now() > until)
          throw new Error(`no matching mail within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.subject))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Points the workspace's outgoing mail at the sink, through the mail module's own repository. */
export async function configureSmtp(server: RunningServer, workspaceId: string, port: number) {
  await activitiesDb(server.database.db)
    .transaction()
    .execute(async (trx) => {
      await ensureSettings(trx, workspaceId, null);
      await updateSettings(
        trx,
        workspaceId,
        { smtp_host: '127.0.0.1', smtp_port: port, smtp_security: 'none', from_address: 'crm@example.test', from_name: 'CRM' },
        null,
      );
    });
}
