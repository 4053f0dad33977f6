import { describe, expect, it } from 'vitest';
import { cleanFilename, contentDisposition } from './attachments.js';

describe('attachment file names', () => {
  it('keeps a Japanese name and drops any path, quotes and control characters', () => {
    expect(cleanFilename('C:\\Users\\山田\\見積書.pdf')).toBe('見積書.pdf');
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('a"b<c>\u0000d.txt')).toBe('a_b_c__d.txt');
    expect(cleanFilename('..')).toBe('file');
    expect(cleanFilename('x'.repeat(300))).toHaveLength(255);
  });

  it('sends an ASCII fallback and the UTF-8 name (RFC 5987), never a raw quote or newline', () => {
    expect(contentDisposition('請求書 2026.pdf')).toBe(
      `attachment; filename="___ 2026.pdf"; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%202026.pdf`,
    );
    expect(contentDisposition('a"b\\c.txt')).toBe(`attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`);
  });
});
