/**
 * A localized sentence as a minimal HTML page (the page a browser shows after the sign-in
 * redirect): escaped text, no script, nothing loaded, and the headers that keep it so.
 */

/** Headers of such a page: no script or resource, no MIME sniffing, no referrer, not cached. */
export const HTML_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html;charset=utf-8',
  'content-security-policy': "default-src 'none'",
  'x-content-type-options': 'nosniff',
  // The URL of a sign-in redirect carries a code: it must not leave in a Referer header.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The page's HTML for `text` (escaped), in language `lang` (a BCP 47 tag). */
export function htmlPage(text: string, lang = 'en'): string {
  const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="${escape(lang)}"><head><meta charset="utf-8"><title>tenantlink</title></head><body><p>${escape(text)}</p></body></html>`;
}
