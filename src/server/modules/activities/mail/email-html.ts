import sanitizeHtml from 'sanitize-html';

const REMOTE = /^(https?:)?\/\//i;

/**
 * Strict allow-list for mail HTML: structure and text formatting only. No script, style, iframe, form,
 * event handler or style attribute survives; links open outside the app; images only from data: or
 * remote URLs (the latter removed at display time unless asked for).
 */
const options: sanitizeHtml.IOptions = {
  allowedTags: [
    'a',
    'abbr',
    'b',
    'blockquote',
    'br',
    'caption',
    'cite',
    'code',
    'dd',
    'del',
    'div',
    'dl',
    'dt',
    'em',
    'font',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'i',
    'img',
    'ins',
    'li',
    'mark',
    'ol',
    'p',
    'pre',
    'q',
    's',
    'small',
    'span',
    'strike',
    'strong',
    'sub',
    'sup',
    'table',
    'tbody',
    'td',
    'tfoot',
    'th',
    'thead',
    'tr',
    'u',
    'ul',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align', 'valign'],
    th: ['colspan', 'rowspan', 'align', 'valign'],
    table: ['border', 'cellpadding', 'cellspacing', 'width'],
    font: ['color'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer nofollow' }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};
options.allowedAttributes = { ...(options.allowedAttributes as Record<string, string[]>), a: ['href', 'title', 'target', 'rel'] };

/** Sanitise a message's HTML once, when it is stored; the raw HTML is never kept. */
export function sanitizeMailHtml(html: string): { html: string; hasRemoteImages: boolean } {
  let hasRemoteImages = false;
  const clean = sanitizeHtml(html, {
    ...options,
    exclusiveFilter: (frame) => {
      if (frame.tag !== 'img') return false;
      if (!frame.attribs.src) return true;
      if (REMOTE.test(frame.attribs.src)) hasRemoteImages = true;
      return false;
    },
  });
  return { html: clean, hasRemoteImages };
}

/** The stored (already safe) HTML without remote images: nothing is fetched from the sender's servers. */
export function withoutRemoteImages(html: string): string {
  return sanitizeHtml(html, { ...options, exclusiveFilter: (frame) => frame.tag === 'img' && REMOTE.test(frame.attribs.src ?? '') });
}

/** Plain-text preview line for lists and the timeline. */
export function snippetOf(text: string | null | undefined, max = 160): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().slice(0, max);
}

/** Plain text to minimal safe HTML (for composed mail). */
export function textToHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
  return `<div>${escaped.replace(/\r?\n/g, '<br>')}</div>`;
}
