import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../platform/config.js';
import { blockedExtension, cleanFilename, contentDisposition } from './attachments.js';

const config = { attachments: loadConfig({}, process.cwd()).attachments };

describe('attachment file names', () => {
  it('keeps a Japanese name and drops any path, quotes and control characters', () => {
    expect(cleanFilename('C:\\Users\\山田\\見積書.pdf')).toBe('見積書.pdf');
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('a"b<c>\u0000d.txt')).toBe('a_b_c__d.txt');
    expect(cleanFilename('..')).toBe('file');
    expect(cleanFilename('x'.repeat(300))).toHaveLength(255);
  });

  it('stores the name Windows would use: no trailing dots or spaces, no NTFS stream, percent-encoding undone', () => {
    expect(cleanFilename('x.js.')).toBe('x.js');
    expect(cleanFilename('x.js ')).toBe('x.js');
    expect(cleanFilename('x.js. . .')).toBe('x.js');
    expect(cleanFilename('x.js\u3000')).toBe('x.js');
    expect(cleanFilename('x.js%20')).toBe('x.js');
    expect(cleanFilename('x%2Ejs')).toBe('x.js');
    expect(cleanFilename('x.js%2520')).toBe('x.js');
    expect(cleanFilename('x.js::$DATA')).toBe('x.js');
    expect(cleanFilename('x.js:hidden')).toBe('x.js');
    expect(cleanFilename('invoice\u202Efdp.js')).toBe('invoicefdp.js');
    expect(cleanFilename('議事録 10:30.txt')).toBe('議事録 10_30.txt');
    expect(cleanFilename('100%.txt')).toBe('100%.txt');
    expect(cleanFilename('請求書.PDF')).toBe('請求書.PDF');
    // full-width brackets and digits are part of Japanese names: kept (the type check reads the NFKC form)
    expect(cleanFilename('お見積書（２０２６年度）.pdf')).toBe('お見積書（２０２６年度）.pdf');
  });

  it.each([
    'x.js',
    'x.JS',
    'x.Js',
    'x.js.',
    'x.js..',
    'x.js ',
    'x.js. . .',
    'x.js%20',
    'x.js%2e',
    'x.js::$DATA',
    'x.js:stream',
    'x．js',
    'ｘ．ｊｓ',
    'x.js．',
    'x.js：stream',
    'x.ｅｘｅ',
    'report.pdf.js',
    'report.pdf.exe.',
    '.js',
    'setup.EXE\u00a0',
    'C:\\temp\\run.bat.',
  ])('refuses %j as a blocked type', (name) => {
    expect(blockedExtension(config, name)).toBe(true);
  });

  it.each(['x.json', 'x.js.pdf', 'x.jsx', 'x.exe.txt', '議事録 10:30.txt', 'README', 'x.'])('accepts %j', (name) => {
    expect(blockedExtension(config, name)).toBe(false);
  });

  it('sends an ASCII fallback and the UTF-8 name (RFC 5987), never a raw quote or newline', () => {
    expect(contentDisposition('請求書 2026.pdf')).toBe(
      `attachment; filename="___ 2026.pdf"; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%202026.pdf`,
    );
    expect(contentDisposition('a"b\\c.txt')).toBe(`attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`);
  });
});
