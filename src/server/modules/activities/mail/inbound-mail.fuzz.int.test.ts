import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, startTestServer, testConfig } from '../../../../../test/helpers.js';
import { InboundRejection } from '../../../platform/mail-receiver.js';
import type { RunningServer } from '../../../server.js';
import { activitiesDb } from '../activities.db.js';
import { receiveMessage } from './inbound-mail.js';

/**
 * Malformed inbound mail (issue 10): ingestion stores a message or refuses it with an InboundRejection (the SMTP
 * receiver answers 5xx, the IMAP poller skips it). Any other error is a poison message: SMTP answers "try later"
 * for ever and the IMAP poller stops at the same message on every poll. Fixed seed, bounded count.
 */
const SEED = 20_261_206;
const HANG_MS = 10_000;

let server: RunningServer;
let workspaceId: string;

beforeAll(async () => {
  server = await startTestServer({ config: { workers: false } });
  workspaceId = (await createTestWorkspace(server)).workspaceId;
});
afterAll(async () => {
  await server?.stop();
});

const deps = () => ({ db: activitiesDb(server.database.db), config: testConfig(server.databaseUrl) });

async function ingest(raw: Buffer): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      receiveMessage(deps(), { workspaceId, raw, source: 'imap' }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no result within ${HANG_MS} ms`)), HANG_MS);
      }),
    ]);
    return result.status;
  } catch (err) {
    if (err instanceof InboundRejection) return `rejected ${err.responseCode}`;
    throw new Error(`not a clean refusal: ${(err as Error).message}\n--- message ---\n${raw.toString('latin1').slice(0, 1500)}`);
  } finally {
    clearTimeout(timer);
  }
}

const HEADER_VALUES = [
  '山田 太郎 <taro@example.test>',
  '=?UTF-8?B?5bGx55Sw?= <taro@example.test>',
  '=?UTF-8?B?AA==?= <nul@example.test>',
  '=?UTF-8?Q?a=00b?=',
  '=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=',
  '=?x-unknown?Q?abc?=',
  '=?UTF-8?B?7aCA?=',
  '=?UTF-8?B?!!!?=',
  'undisclosed-recipients:;',
  'group: a@example.test, b@example.test;',
  '<>',
  '"\\"" <@>',
  'a@b@c',
  '',
  'x'.repeat(2000),
  'Mon, 32 Foo 99999 25:61:61 +9999',
  '<id@example.test>',
  `<${'a'.repeat(1200)}@example.test>`,
  'a\u0000b',
  '\ud800',
  '😀 <emoji@example.test>',
];
const HEADERS = [
  'From',
  'To',
  'Cc',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Reply-To',
  'Content-Type',
  'Content-Transfer-Encoding',
  'MIME-Version',
];
const CONTENT_TYPES = [
  'text/plain; charset=utf-8',
  'text/plain; charset=shift_jis',
  'text/plain; charset=x-unknown',
  'text/html; charset=utf-8',
  'multipart/mixed; boundary="b1"',
  'multipart/alternative; boundary=b1',
  'multipart/mixed',
  'message/rfc822',
  'application/octet-stream; name="a\u0000.exe"',
  'image/png',
  ';;;',
];
const BODIES = [
  'こんにちは\r\n',
  '\u0000\u0000',
  'a\ud800b',
  '<html><body><img src="http://example.test/x.png"><script>x</script>\u0000</body></html>',
  '=E3=81=82=\r\n=ZZ=',
  '44GC44GE\r\n!!!!',
  '--b1\r\nContent-Type: text/plain\r\n\r\npart\r\n--b1\r\nContent-Type: application/pdf; name="請求書.pdf"\r\nContent-Disposition: attachment; filename="\u0000.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b1--\r\n',
  '--b1\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n--b1\r\n',
  '--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: x\r\n\r\n--b1',
  'begin 644 a.txt\r\n#86)C\r\n`\r\nend\r\n',
];

const header = fc.tuple(
  fc.constantFrom(...HEADERS),
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HEADER_VALUES) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  ),
);
const message = fc
  .record({
    from: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HEADER_VALUES.slice(0, 3)) },
      { weight: 1, arbitrary: fc.constantFrom(...HEADER_VALUES) },
    ),
    headers: fc.array(header, { maxLength: 8 }),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    body: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...BODIES) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      ),
      { maxLength: 4 },
    ),
    eol: fc.constantFrom('\r\n', '\n', '\r'),
  })
  .map((m) => {
    const lines = [
      `From: ${m.from}`,
      'To: inbox@example.test',
      ...m.headers.map(([k, v]) => `${k}: ${v}`),
      `Content-Type: ${m.contentType}`,
    ];
    return Buffer.from(`${lines.join(m.eol)}${m.eol}${m.eol}${m.body.join(m.eol)}`);
  });

describe('inbound mail ingestion of malformed messages', () => {
  it('a message with NUL in its subject and body is stored (NUL dropped) or refused, never a database error', async () => {
    const raw = Buffer.from(
      'From: 山田 <taro@example.test>\r\nTo: inbox@example.test\r\nSubject: =?UTF-8?B?AA==?=件名\r\nMessage-ID: <nul-1@example.test>\r\n\r\nbody\u0000text\r\n',
    );
    expect(await ingest(raw)).toMatch(/stored|rejected 5\d\d/);
  });

  it('generated headers, encodings, MIME structures and bytes are stored or refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (raw) => {
        await ingest(raw);
      }),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
  });

  it('random bytes are stored or refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        await ingest(Buffer.from(bytes));
      }),
      { seed: SEED, numRuns: 50, endOnFailure: true },
    );
  });
});
