import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

interface HoodiecrowMailbox {
  uidvalidity: number;
  uidnext: number;
  messages: { uid: number; raw: string; flags: string[] }[];
}
interface Hoodiecrow {
  server: { address(): AddressInfo | string | null };
  listen(port: number, host: string, cb: () => void): void;
  close(cb?: () => void): void;
  getMailbox(path: string): HoodiecrowMailbox;
  appendMessage(mailbox: string, flags: string[], date: Date, raw: string): void;
}
const hoodiecrow = require('hoodiecrow-imap') as (options: object) => Hoodiecrow;

/** An in-process IMAP server (hoodiecrow-imap, by imapflow's author): one account, mailboxes in memory. */
export interface ImapTestServer {
  port: number;
  user: string;
  password: string;
  append(raw: string): void;
  /** What the mailbox holds now (the poller must never delete or flag anything). */
  messages(): HoodiecrowMailbox['messages'];
  /** The server renumbers the mailbox: a new UIDVALIDITY and UIDs from 1 again, as after a rebuild. */
  renumber(uidValidity: number): void;
  close(): Promise<void>;
}

export async function startImapServer(options: { user?: string; password?: string; uidValidity?: number } = {}): Promise<ImapTestServer> {
  const user = options.user ?? 'crm@example.test';
  const password = options.password ?? 'imap-pass-0001';
  const server = hoodiecrow({
    plugins: ['ID', 'UNSELECT', 'ENABLE', 'LITERALPLUS'],
    users: { [user]: { password } },
    storage: { INBOX: { uidvalidity: options.uidValidity ?? 1000, messages: [] }, '': { folders: { Archive: { messages: [] } } } },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    user,
    password,
    append: (raw) => server.appendMessage('INBOX', [], new Date(), raw),
    messages: () => server.getMailbox('INBOX').messages,
    renumber: (uidValidity) => {
      const box = server.getMailbox('INBOX');
      box.uidvalidity = uidValidity;
      box.messages.forEach((m, i) => {
        m.uid = i + 1;
      });
      box.uidnext = box.messages.length + 1;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let seq = 0;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** An RFC 5322 message in 7-bit ASCII (encoded-word subject, base64 body), unique Message-ID unless given. */
export function rawMail(m: { from: string; to: string; subject: string; body?: string; messageId?: string }): string {
  seq += 1;
  const id = m.messageId ?? `<imap-${Date.now().toString(36)}-${seq}@sender.example>`;
  return [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: =?UTF-8?B?${b64(m.subject)}?=`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(m.body ?? 'こんにちは。IMAP からの取り込みテストです。'),
    '',
  ].join('\r\n');
}
