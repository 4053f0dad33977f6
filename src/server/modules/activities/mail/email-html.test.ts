import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml, snippetOf, textToHtml, withoutRemoteImages } from './email-html.js';

describe('mail HTML sanitising', () => {
  it('drops scripts, styles, event handlers, forms, frames and javascript: links', () => {
    const { html } = sanitizeMailHtml(
      '<div style="color:red" onmouseover="x()"><script>alert(1)</script><style>body{}</style><iframe src="https://e.example"></iframe>' +
        '<form action="https://e.example"><input name="a"></form><a href="javascript:alert(2)">a</a><a href="https://ok.example">b</a>' +
        '<svg onload="x()"></svg><p>本文</p></div>',
    );
    for (const bad of ['script', 'style', 'onmouseover', 'iframe', 'form', 'input', 'javascript:', 'svg', 'onload'])
      expect(html).not.toContain(bad);
    expect(html).toContain('<p>本文</p>');
    expect(html).toContain('<a href="https://ok.example" target="_blank" rel="noopener noreferrer nofollow">b</a>');
  });

  it('notes remote images and removes them for display, keeping data: images', () => {
    const { html, hasRemoteImages } = sanitizeMailHtml(
      '<img src="https://t.example/p.gif" alt="t"><img src="data:image/png;base64,AAAA" alt="d"><img src="cid:x">',
    );
    expect(hasRemoteImages).toBe(true);
    expect(html).toContain('https://t.example/p.gif');
    expect(html).not.toContain('cid:');
    const shown = withoutRemoteImages(html);
    expect(shown).not.toContain('t.example');
    expect(shown).toContain('data:image/png');
    expect(sanitizeMailHtml('<p>x</p>').hasRemoteImages).toBe(false);
  });

  it('escapes composed text and makes one-line snippets', () => {
    expect(textToHtml('a < b\n"c"')).toBe('<div>a &lt; b<br>&quot;c&quot;</div>');
    expect(snippetOf('  こんにちは\n\n  世界  ')).toBe('こんにちは 世界');
  });
});
